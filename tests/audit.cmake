# SPDX-License-Identifier: MIT
# Issue 7: the audit trail, `opsdeck audit` and `opsdeck restart`.
opsdeck_add_test(NAME tst_auditlog SOURCES unit/app/tst_auditlog.cpp
                 LIBS opsdeck_app LABELS unit)

if(OPSDECK_BUILD_GUI)
    opsdeck_add_test(NAME tst_auditview SOURCES unit/views/tst_auditview.cpp
                     LIBS opsdeck_desktop LABELS unit GUI)
    # The opsdeck binary against the three real engines of the dockerd fixture.
    opsdeck_add_test(NAME tst_opsdeck_restart SOURCES integration/cli/tst_opsdeck_restart.cpp
                     LIBS Qt6::Core LABELS integration)
    target_compile_definitions(tst_opsdeck_restart PRIVATE OPSDECK_BINARY="$<TARGET_FILE:opsdeck>")
    add_dependencies(tst_opsdeck_restart opsdeck)
    set_tests_properties(tst_opsdeck_restart PROPERTIES FIXTURES_REQUIRED dockerd RESOURCE_LOCK dockerd
        ENVIRONMENT "OPSDECK_DOCKERD_STATE=${DOCKER_STATE_DIR};OPSDECK_DOCKERD_SCRIPT=${CMAKE_CURRENT_SOURCE_DIR}/integration/dockerd.sh;XDG_CONFIG_HOME=${CMAKE_CURRENT_BINARY_DIR}/xdg-config")
endif()
