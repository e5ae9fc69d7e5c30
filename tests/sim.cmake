# SPDX-License-Identifier: MIT
# Contract tests of the simulated estate (app/sim) against the documented API shapes.
