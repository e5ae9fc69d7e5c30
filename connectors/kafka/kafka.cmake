# SPDX-License-Identifier: MIT
# The Kafka lag connector on librdkafka (C API; its Admin API has no C++ binding in 2.0.2).
target_sources(opsdeck_connectors PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/kafkaoffsetreader.h ${CMAKE_CURRENT_LIST_DIR}/kafkaoffsetreader.cpp
    ${CMAKE_CURRENT_LIST_DIR}/kafkaconnector.h ${CMAKE_CURRENT_LIST_DIR}/kafkaconnector.cpp
)
target_link_libraries(opsdeck_connectors PRIVATE PkgConfig::RDKAFKA)
