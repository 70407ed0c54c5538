/* target: one check of what a call names (see target.h). */
#include "admin/target.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/ecosystem.h"

int target_blank(const char *s)
{
    for (; s && *s; s++)
        if (!isspace((unsigned char)*s))
            return 0;
    return 1;
}

static int has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 1;
    return 0;
}

int target_check(const char *eco, const char *pkg, int vr, const char *ver, int version_req, target_t *t, char *err,
                 size_t errlen)
{
    char names[100];
    if (eco == NULL) {
        snprintf(err, errlen, "'ecosystem' is required: one of %s", eco_names_join(names, sizeof(names), "", ", "));
        return -1;
    }
    int e = eco_from_name(eco, strlen(eco));
    if (e < 0 || ecosystems[e] == NULL) {
        snprintf(err, errlen, "'ecosystem' must be one of %s (got '%.40s')",
                 eco_names_join(names, sizeof(names), "", ", "), eco);
        return -1;
    }
    t->eco = (eco_id_t)e;
    if (pkg == NULL || target_blank(pkg)) {
        snprintf(err, errlen, "'package' is required");
        return -1;
    }
    if (strlen(pkg) >= 400 || has_control(pkg) ||
        ecosystems[e]->canonical_name(pkg, t->package, sizeof(t->package)) != 0) {
        snprintf(err, errlen, "'package' is not a valid %s package name%s%s%s", eco_name(t->eco),
                 ecosystems[e]->name_form ? " (" : "", ecosystems[e]->name_form ? ecosystems[e]->name_form : "",
                 ecosystems[e]->name_form ? ")" : "");
        return -1;
    }
    if (vr < 0 || (version_req && (vr == 0 || target_blank(ver)))) {
        snprintf(err, errlen, "'version' is required (a string)");
        return -1;
    }
    t->version[0] = '\0';
    if (vr == 1 && !target_blank(ver)) {
        if (strlen(ver) >= 128 || has_control(ver) || strchr(ver, '/')) {
            snprintf(err, errlen, "'version' is not a valid version string");
            return -1;
        }
        snprintf(t->version, sizeof(t->version), "%s", ver);
    }
    return 0;
}
