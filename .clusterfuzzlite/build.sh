#!/bin/bash -eu
# ClusterFuzzLite entry point (run as $SRC/build.sh with WORKDIR $SRC/memapi2): the harnesses and
# their seed corpora, dictionaries and options are all built by fuzz/build.sh.
"$SRC/memapi2/fuzz/build.sh"
