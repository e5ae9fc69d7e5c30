# SPDX-License-Identifier: MIT
# Consul connector (against the simulated Consul) and Docker's archive API for config files.
