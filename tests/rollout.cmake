# SPDX-License-Identifier: MIT
# Issue 7: rolling updates and restarts on Docker hosts.
opsdeck_add_test(NAME tst_dockerrollout SOURCES unit/models/tst_dockerrollout.cpp
                 LIBS opsdeck_models LABELS unit)
opsdeck_add_test(NAME tst_marathonrollouttracker SOURCES unit/models/tst_marathonrollouttracker.cpp
                 LIBS opsdeck_models LABELS unit)

if(OPSDECK_BUILD_GUI)
    opsdeck_add_test(NAME tst_rolloutspanel SOURCES unit/views/tst_rolloutspanel.cpp
                     LIBS opsdeck_desktop LABELS unit GUI)
    # Against the three real engines of the dockerd fixture; also drives the opsdeck binary.
    opsdeck_add_test(NAME tst_dockerrollout_live SOURCES integration/docker/tst_dockerrollout_live.cpp
                     LIBS opsdeck_app LABELS integration)
    target_compile_definitions(tst_dockerrollout_live PRIVATE OPSDECK_BINARY="$<TARGET_FILE:opsdeck>")
    add_dependencies(tst_dockerrollout_live opsdeck)
    set_tests_properties(tst_dockerrollout_live PROPERTIES FIXTURES_REQUIRED dockerd RESOURCE_LOCK dockerd
        ENVIRONMENT "OPSDECK_DOCKERD_STATE=${DOCKER_STATE_DIR};OPSDECK_DOCKERD_SCRIPT=${CMAKE_CURRENT_SOURCE_DIR}/integration/dockerd.sh;XDG_CONFIG_HOME=${CMAKE_CURRENT_BINARY_DIR}/xdg-config")
endif()

if(OPSDECK_BUILD_GUI)
    # The demo estate's simulated hosts, through the binary: no server needed.
    opsdeck_add_test(NAME tst_opsdeck_rollout_demo SOURCES integration/cli/tst_opsdeck_rollout_demo.cpp
                     LIBS Qt6::Core LABELS integration)
    target_compile_definitions(tst_opsdeck_rollout_demo PRIVATE OPSDECK_BINARY="$<TARGET_FILE:opsdeck>")
    add_dependencies(tst_opsdeck_rollout_demo opsdeck)
endif()
