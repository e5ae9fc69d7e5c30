# SPDX-License-Identifier: MIT
# Issue 5: the Kafka tab offscreen (tables, plot data, threshold lines, store switches).
if(OPSDECK_BUILD_GUI)
    opsdeck_add_test(NAME tst_kafkaview SOURCES unit/views/tst_kafkaview.cpp
                     LIBS opsdeck_desktop LABELS unit GUI)
endif()
