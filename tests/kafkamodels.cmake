# SPDX-License-Identifier: MIT
# Issue 5: the consumer-lag store and its table models (controlled clock, synthetic samples).
opsdeck_add_test(NAME tst_kafkalag
                 SOURCES unit/models/tst_kafkalag.cpp unit/models/kafkalagtestdata.h
                 LIBS opsdeck_models LABELS unit)
opsdeck_add_test(NAME tst_kafkalagtablemodels
                 SOURCES unit/models/tst_kafkalagtablemodels.cpp unit/models/kafkalagtestdata.h
                 LIBS opsdeck_models LABELS unit)
