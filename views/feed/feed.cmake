# SPDX-License-Identifier: MIT
# The WebSocket feed and its HTTP side: a view without Widgets (issue 6).
find_package(Qt6 6.4 REQUIRED COMPONENTS WebSockets HttpServer)
add_library(opsdeck_feed STATIC
    feed/feedjson.h feed/feedjson.cpp
    feed/feedserver.h feed/feedserver.cpp
    feed/feedtokens.h feed/feedtokens.cpp
)
target_link_libraries(opsdeck_feed PUBLIC opsdeck_models Qt6::Core Qt6::Network Qt6::WebSockets
                                   PRIVATE Qt6::HttpServer)
target_compile_definitions(opsdeck_feed PRIVATE OPSDECK_VERSION="${PROJECT_VERSION}")
