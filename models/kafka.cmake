# SPDX-License-Identifier: MIT
# Issue 5: consumer-group lag store (history, status, thresholds) and its table models.
target_sources(opsdeck_models PRIVATE
    kafkalag.h kafkalag.cpp
    kafkatablemodels.h kafkatablemodels.cpp
)
