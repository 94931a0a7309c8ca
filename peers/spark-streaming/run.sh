#!/bin/sh
# Runs the Spark Streaming receiver-WAL peer bench on Java 17. Build it first:
#   mvn -B -q -f peers/spark-streaming/pom.xml -DskipTests package
# Arguments are passed to the bench, e.g. --rounds 3 (see SparkReceiverWalBench).
# Spark 3.5 reflects into these JDK packages; Java 17 refuses that unless they are opened.
set -e
here=$(cd "$(dirname "$0")" && pwd)
exec java ${PEER_JAVA_OPTS:-} \
  --add-opens=java.base/java.lang=ALL-UNNAMED \
  --add-opens=java.base/java.lang.invoke=ALL-UNNAMED \
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED \
  --add-opens=java.base/java.io=ALL-UNNAMED \
  --add-opens=java.base/java.net=ALL-UNNAMED \
  --add-opens=java.base/java.nio=ALL-UNNAMED \
  --add-opens=java.base/java.util=ALL-UNNAMED \
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED \
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED \
  --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED \
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
  --add-opens=java.base/sun.nio.cs=ALL-UNNAMED \
  --add-opens=java.base/sun.security.action=ALL-UNNAMED \
  --add-opens=java.base/sun.util.calendar=ALL-UNNAMED \
  -Djdk.reflect.useDirectMethodHandle=false \
  -jar "$here/target/spark-wal-peer.jar" "$@"
