# Sourced by test.sh after ensure-tools.sh: installs Temporal's time-skipping test server (the Java one, from
# Maven Central with mvn) when missing and exports TEMPORAL_TEST_SERVER, a command that takes the port to
# listen on, for TestWorkflowEnvironment.createTimeSkipping. The SDK's own download of it needs a site this
# machine cannot reach.
TEMPORAL_TEST_SERVER_VERSION=1.31.0
TEMPORAL_TEST_SERVER=$ZKE_TOOLS/temporal-test-server-$TEMPORAL_TEST_SERVER_VERSION/run
if [ ! -x "$TEMPORAL_TEST_SERVER" ]; then
  echo "zke: installing Temporal's test server (io.temporal:temporal-test-server:$TEMPORAL_TEST_SERVER_VERSION, Maven Central)"
  tts_dir=$(dirname "$TEMPORAL_TEST_SERVER")
  mkdir -p "$tts_dir"
  mvn -q -B -Dstyle.color=never -f "$(dirname "${BASH_SOURCE[0]}")/pom.xml" -Dmaven.repo.local="$ZKE_TOOLS/m2" \
    -Dtemporal.test.server.version="$TEMPORAL_TEST_SERVER_VERSION" \
    dependency:build-classpath -Dmdep.outputFile="$tts_dir/classpath" > "$tts_dir/mvn.log" 2>&1 ||
    { cat "$tts_dir/mvn.log" >&2; echo "zke: mvn could not resolve the test server (log above)" >&2; false; }
  printf '#!/bin/sh\n# Temporal test server on port $1\nexec java -cp "%s" io.temporal.testserver.TestServer "$@"\n' \
    "$(cat "$tts_dir/classpath")" > "$tts_dir/run.tmp"
  chmod +x "$tts_dir/run.tmp"
  mv "$tts_dir/run.tmp" "$TEMPORAL_TEST_SERVER"
fi
export TEMPORAL_TEST_SERVER
