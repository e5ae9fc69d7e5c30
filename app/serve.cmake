# SPDX-License-Identifier: MIT
# opsdeck-serve and alerts sent out (issue 6). Owned by the serve engineer.
