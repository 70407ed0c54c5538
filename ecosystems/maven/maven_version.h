/* maven_version: Maven's version ordering (ComparableVersion, as in Maven
 * 3.x): versions split into numbers and qualifiers at '.', '-' and at
 * letter/digit transitions; "alpha" < "beta" < "milestone" < "rc" < "snapshot"
 * < "" (release, "ga", "final") < "sp" < other qualifiers (alphabetical);
 * trailing zeros and release qualifiers do not count ("1.0" == "1"). */
#ifndef CORDON_MAVEN_VERSION_H
#define CORDON_MAVEN_VERSION_H

int maven_version_compare(const char *a, const char *b);
/* SNAPSHOT versions: ending in "SNAPSHOT" in any case ("1.0-SNAPSHOT") */
int maven_version_is_snapshot(const char *v);
/* the length of a SNAPSHOT version's part before "SNAPSHOT" ("1.0-" of
 * "1.0-SNAPSHOT": its timestamped files put the timestamp there); -1 when
 * v is not a SNAPSHOT version */
long maven_snapshot_base_len(const char *v);

#endif
