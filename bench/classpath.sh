# Sourced by the bench scripts. bench_classpath MODULE compiles MODULE and the modules it depends on
# (from this checkout, never from ~/.m2, so a fresh clone works and the current source is measured) and
# prints its test classpath. The benchmark then runs in a `java` process of its own: inside Maven's JVM
# it would inherit .mvn/jvm.config, whose C1-only JIT setting (to speed up builds) halves throughput.
bench_classpath() {
  local module=$1 file
  file=$(mktemp)
  # In one reactor run, sibling modules resolve to their target/ directories; every module writes the
  # file in turn, and MODULE, built last, writes it last.
  # A failed build must stop the benchmark: an old or partial classpath measures the wrong thing.
  if ! mvn -B -q -pl "$module" -am test-compile dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile="$file" >&2; then
    echo "bench: building $module failed" >&2
    rm -f "$file"
    return 1
  fi
  echo "$module/target/test-classes:$module/target/classes:$(cat "$file")"
  rm -f "$file"
}
