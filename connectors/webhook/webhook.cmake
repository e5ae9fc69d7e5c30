# SPDX-License-Identifier: MIT
# Alerts sent out (issue 6): webhook bodies and the notifier, on our HttpClient.
target_sources(opsdeck_connectors PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/webhookmessage.h ${CMAKE_CURRENT_LIST_DIR}/webhookmessage.cpp
    ${CMAKE_CURRENT_LIST_DIR}/webhooknotifier.h ${CMAKE_CURRENT_LIST_DIR}/webhooknotifier.cpp
)
