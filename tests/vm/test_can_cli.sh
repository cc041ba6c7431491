#!/bin/sh
# Not written yet: fails until it is.
echo "test_can_cli.sh is not written yet"
exit 1
