# SPDX-License-Identifier: MIT
# Issue 6: opsdeck-serve and alerts sent out (webhooks).
opsdeck_add_test(NAME tst_servewebhooks SOURCES unit/app/tst_servewebhooks.cpp
                 integration/serve/webhookreceiver.h LIBS opsdeck_connectors LABELS unit)
opsdeck_add_test(NAME tst_serveoptions SOURCES unit/app/tst_serveoptions.cpp
                 LIBS opsdeck_serve LABELS unit)

# The executable end to end: --demo over HTTP and WebSocket, the structured log, SIGTERM, exit
# codes; `opsdeck serve` runs it where the desktop binary is built.
find_package(Qt6 6.4 REQUIRED COMPONENTS WebSockets)
opsdeck_add_test(NAME tst_opsdeck_serve SOURCES integration/serve/tst_opsdeck_serve.cpp
                 integration/serve/serveprocess.h LIBS Qt6::Network Qt6::WebSockets LABELS integration)
target_compile_definitions(tst_opsdeck_serve PRIVATE OPSDECK_SERVE_BINARY="$<TARGET_FILE:opsdeck-serve>")
add_dependencies(tst_opsdeck_serve opsdeck-serve)
if(TARGET opsdeck)
    target_compile_definitions(tst_opsdeck_serve PRIVATE OPSDECK_BINARY="$<TARGET_FILE:opsdeck>")
    add_dependencies(tst_opsdeck_serve opsdeck)
endif()

# A crash loop on a real engine: one firing and one resolved webhook message, no more.
opsdeck_add_test(NAME tst_serve_webhooks_live SOURCES integration/serve/tst_serve_webhooks_live.cpp
                 integration/serve/serveprocess.h integration/serve/webhookreceiver.h
                 LIBS Qt6::Network LABELS integration)
target_compile_definitions(tst_serve_webhooks_live PRIVATE OPSDECK_SERVE_BINARY="$<TARGET_FILE:opsdeck-serve>")
add_dependencies(tst_serve_webhooks_live opsdeck-serve)
set_tests_properties(tst_serve_webhooks_live PROPERTIES FIXTURES_REQUIRED dockerd RESOURCE_LOCK dockerd
    ENVIRONMENT "OPSDECK_DOCKERD_STATE=${DOCKER_STATE_DIR};OPSDECK_DOCKERD_SCRIPT=${CMAKE_CURRENT_SOURCE_DIR}/integration/dockerd.sh")

# The layering rule of STYLE.md §1: the server never links Qt Widgets (nor Gui).
add_test(NAME serve_links_no_widgets COMMAND sh -c
    "readelf -d \"$1\" | grep NEEDED >&2; ! readelf -d \"$1\" | grep -Eq 'libQt6(Widgets|Gui|PrintSupport)'"
    sh $<TARGET_FILE:opsdeck-serve>)
set_tests_properties(serve_links_no_widgets PROPERTIES LABELS unit)
