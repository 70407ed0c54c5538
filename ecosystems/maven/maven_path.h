/* maven_path: the Maven 2 repository layout below /maven/:
 *   <group/path>/<artifactId>/maven-metadata.xml[.sha1|.md5|.sha256|.sha512]
 *   <group/path>/<artifactId>/<version>/<artifactId>-<version>[-classifier].<ext>[.checksum]
 * and checksum files ("hex", "hex  filename", upper or lower case). */
#ifndef CORDON_MAVEN_PATH_H
#define CORDON_MAVEN_PATH_H

#include <stddef.h>

#include "common/digest.h"

typedef enum {
    MAVEN_ROUTE_INVALID = 0,
    MAVEN_ROUTE_METADATA, /* maven-metadata.xml of an artifact (or of a group: plugin prefixes) */
    MAVEN_ROUTE_FILE,     /* a file of one version */
} maven_route_kind_t;

typedef enum { SUM_NONE = 0, SUM_SHA1, SUM_MD5, SUM_SHA256, SUM_SHA512 } maven_sum_t;

typedef struct maven_route {
    maven_route_kind_t kind;
    char dir[1024];       /* the path of the directory, e.g. "org/example/lib" (metadata) or ".../1.0" */
    char group[512];      /* "org.example" */
    char artifact[256];
    char version[128];
    char file[256];       /* the file without its checksum suffix */
    maven_sum_t sum;      /* a checksum of file was asked for */
} maven_route_t;

void maven_route_parse(const char *path, size_t len, maven_route_t *out);
const char *maven_sum_ext(maven_sum_t s);
digest_alg_t maven_sum_alg(maven_sum_t s);
/* the hex digest in a checksum file; 0 ok */
int maven_checksum_parse(const char *text, size_t len, maven_sum_t s, integrity_t *out);

#endif
