#!/usr/bin/env bash
# Makes the API of this checkout the baseline: builds bundles/otterbot.api as release <version> (in a scratch copy,
# so the checkout's versions stay as they are), puts that jar into the Maven repository here in place of the previous
# baseline, and points <otterbot.api.baseline> in bundles/otterbot.api/pom.xml at it. Review and commit the result.
#
#   cnf/baseline/update.sh 0.2.0            # after releasing 0.2.0
#   MVN_ARGS=-o cnf/baseline/update.sh 0.2.0 # offline, with any other Maven options (e.g. -Dmaven.repo.local=...)
set -euo pipefail
version=${1:?usage: cnf/baseline/update.sh <released version, e.g. 0.1.0>}
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# What the module's build needs: the parent pom, the bnd files, cnf/ and the module, without its target/.
cp "$root/pom.xml" "$root/bnd.bnd" "$work/"
cp -r "$root/cnf" "$work/"
if [ -d "$root/.mvn" ]; then cp -r "$root/.mvn" "$work/"; fi
mkdir -p "$work/bundles/otterbot.api"
cp "$root/bundles/otterbot.api/pom.xml" "$work/bundles/otterbot.api/"
cp -r "$root/bundles/otterbot.api/src" "$work/bundles/otterbot.api/"

# The release build: the reactor version becomes <version> in the copy (Bundle-Version then has no SNAPSHOT).
current=$(sed -n 's:.*<artifactId>otterbot</artifactId><version>\([^<]*\)</version>.*:\1:p' "$root/bundles/otterbot.api/pom.xml" | head -1)
[ -n "$current" ] || { echo "no parent version in bundles/otterbot.api/pom.xml" >&2; exit 1; }
sed -i "s:<version>$current</version>:<version>$version</version>:" "$work/pom.xml" "$work/bundles/otterbot.api/pom.xml"
# shellcheck disable=SC2086
(cd "$work" && mvn -B -q ${MVN_ARGS:-} -f bundles/otterbot.api/pom.xml -DskipTests -Dbnd.baseline.skip package)

# Into the repository, replacing the previous baseline (deploy-file writes the metadata and the checksums). A pom of
# its own: the one inside the jar names a parent that no repository holds.
rm -rf "$root/cnf/baseline/otterbot"
cat > "$work/baseline.pom" <<POM
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>otterbot</groupId>
  <artifactId>otterbot.api</artifactId>
  <version>$version</version>
  <description>The released otterbot.api, the baseline of the API compatibility check (see cnf/baseline/README.md).</description>
</project>
POM
# Maven refuses to deploy offline, even to a folder: this step drops -o (it needs nothing from the network).
deploy_args=()
for arg in ${MVN_ARGS:-}; do
  case "$arg" in -o|--offline) ;; *) deploy_args+=("$arg") ;; esac
done
(cd "$work" && mvn -B -q -N "${deploy_args[@]}" deploy:deploy-file \
  -Dfile="$work/bundles/otterbot.api/target/otterbot.api-$version.jar" \
  -DgroupId=otterbot -DartifactId=otterbot.api -Dversion="$version" -Dpackaging=jar -DpomFile="$work/baseline.pom" \
  -DrepositoryId=otterbot-api-baseline -Durl="file:$root/cnf/baseline")
sed -i "s:<otterbot.api.baseline>[0-9][^<]*</otterbot.api.baseline>:<otterbot.api.baseline>$version</otterbot.api.baseline>:" \
  "$root/bundles/otterbot.api/pom.xml"
echo "otterbot.api $version is the baseline now: git add -A cnf/baseline bundles/otterbot.api/pom.xml"
