# SPDX-License-Identifier: MIT
# The WebSocket feed and its HTTP side: a view without Widgets (issue 6). Owned by the feed engineer.
