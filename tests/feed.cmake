# SPDX-License-Identifier: MIT
# The WebSocket feed (issue 6): token parsing, the protocol end to end, the fan-out benchmark.
find_package(Qt6 6.4 REQUIRED COMPONENTS WebSockets)
opsdeck_add_test(NAME tst_feedtokens SOURCES unit/feed/tst_feedtokens.cpp
                 LIBS opsdeck_feed LABELS unit)
opsdeck_add_test(NAME tst_feedserver SOURCES integration/feed/tst_feedserver.cpp
                 LIBS opsdeck_feed Qt6::WebSockets Qt6::Network LABELS integration)

if(OPSDECK_BUILD_BENCH)
    add_executable(bench_feed bench/bench_feed.cpp)
    target_link_libraries(bench_feed PRIVATE opsdeck_feed Qt6::WebSockets)
    add_test(NAME bench_feed COMMAND bench_feed)
    set_tests_properties(bench_feed PROPERTIES LABELS bench TIMEOUT 120)
endif()
