# SPDX-License-Identifier: MIT
# The web dashboard in Debian's headless Chromium (playwright-core from npm, pinned in
# tests/browser/package-lock.json), and the Marathon app definition of deploy/ posted to the
# simulated Marathon. Node tests run through tests/browser/run.sh: a missing node, npm, module
# or /usr/bin/chromium is a skip (77) locally and a failure under CI=true.
set(OPSDECK_BROWSER_DIR ${CMAKE_CURRENT_SOURCE_DIR}/browser)
set(OPSDECK_NODE_MODULES_DIR ${CMAKE_CURRENT_BINARY_DIR}/browser-node)

# npm ci of the lock into the build tree (never the source tree), once per lock change.
add_test(NAME browser_npm_ci COMMAND ${OPSDECK_BROWSER_DIR}/run.sh install ${OPSDECK_NODE_MODULES_DIR})
set_tests_properties(browser_npm_ci PROPERTIES FIXTURES_SETUP browser_node_modules
    LABELS integration TIMEOUT 300 SKIP_RETURN_CODE 77)

# The dashboard's client logic against a fake feed server: token from the fragment, seq gap and
# resync, dropped connection and reconnect, tab switch, markup in data shown as text.
add_test(NAME browser_dashboard_fake
    COMMAND ${OPSDECK_BROWSER_DIR}/run.sh test ${OPSDECK_NODE_MODULES_DIR} --browser dashboard.test.mjs --fake)
set_tests_properties(browser_dashboard_fake PROPERTIES FIXTURES_REQUIRED browser_node_modules
    LABELS integration TIMEOUT 240 SKIP_RETURN_CODE 77 RESOURCE_LOCK chromium)

# The dashboard served by `opsdeck-serve --demo`: live content appears and updates.
# OPSDECK_SCREENSHOT_DIR=docs/screenshots in the environment saves dashboard.png.
if(TARGET opsdeck-serve)
    add_test(NAME browser_dashboard
        COMMAND ${OPSDECK_BROWSER_DIR}/run.sh test ${OPSDECK_NODE_MODULES_DIR} --browser dashboard.test.mjs
                --serve $<TARGET_FILE:opsdeck-serve>)
    set_tests_properties(browser_dashboard PROPERTIES FIXTURES_REQUIRED browser_node_modules
        LABELS integration TIMEOUT 300 SKIP_RETURN_CODE 77 RESOURCE_LOCK chromium)
endif()

# deploy/marathon/opsdeck-serve.json posted to the demo estate's Marathon: it deploys and turns
# healthy. Plain node, no modules.
add_test(NAME deploy_marathon_app
    COMMAND ${OPSDECK_BROWSER_DIR}/run.sh test ${OPSDECK_NODE_MODULES_DIR} deploy.test.mjs $<TARGET_FILE:opsdeck-sim>)
set_tests_properties(deploy_marathon_app PROPERTIES LABELS integration TIMEOUT 180 SKIP_RETURN_CODE 77)
