# SPDX-License-Identifier: MIT
# The config model, the diff engine and its rules, the diff CLI and viewer.
