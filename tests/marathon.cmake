# SPDX-License-Identifier: MIT
# Marathon and Mesos: models, parsers, connectors.
