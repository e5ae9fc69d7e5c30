# SPDX-License-Identifier: MIT
# The Kafka connector against librdkafka's in-process mock cluster: no external server needed.
add_library(opsdeck_kafkamock STATIC integration/kafka/mockkafka.h integration/kafka/mockkafka.cpp)
target_link_libraries(opsdeck_kafkamock PUBLIC Qt6::Core opsdeck_common PRIVATE PkgConfig::RDKAFKA)

opsdeck_add_test(NAME tst_kafkaconnector SOURCES integration/kafka/tst_kafkaconnector.cpp
                 LIBS opsdeck_connectors opsdeck_kafkamock PkgConfig::RDKAFKA LABELS integration)
set_tests_properties(tst_kafkaconnector PROPERTIES TIMEOUT 240)

if(OPSDECK_BUILD_BENCH)
    # 50 groups x 200 partitions and 10,000 groups x 3 partitions, against the naive way
    # (rd_kafka_committed + rd_kafka_query_watermark_offsets per partition) on a subset.
    add_executable(bench_kafkalag bench/bench_kafkalag.cpp)
    target_link_libraries(bench_kafkalag PRIVATE opsdeck_connectors opsdeck_kafkamock PkgConfig::RDKAFKA)
    add_test(NAME bench_kafkalag COMMAND bench_kafkalag)
    set_tests_properties(bench_kafkalag PROPERTIES LABELS bench TIMEOUT 300)
endif()
