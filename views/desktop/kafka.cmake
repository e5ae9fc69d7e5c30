# SPDX-License-Identifier: MIT
# Issue 5: the Kafka tab (groups, partitions, lag plot).
target_sources(opsdeck_desktop PRIVATE
    desktop/kafkalagplot.h desktop/kafkalagplot.cpp
    desktop/kafkaview.h desktop/kafkaview.cpp
)
