/* finding_kind: names and default actions of the finding kinds (see
 * finding_kind.h): one designated-initialiser table. */
#include "core/finding_kind.h"

#include <string.h>

static const struct {
    const char *name;
    finding_action_t def;
    const char *intel_key; /* set under `intel:` by this key; NULL: under `analysis:` by its name */
} KINDS[FINDING_KIND_COUNT] = {
    [FINDING_INSTALL_SCRIPT] = {"install_script", FINDING_WARN, NULL},
    [FINDING_NEW_INSTALL_SCRIPT] = {"new_install_script", FINDING_HOLD, NULL},
    [FINDING_MANIFEST_MISMATCH] = {"manifest_mismatch", FINDING_HOLD, NULL},
    [FINDING_TYPOSQUAT] = {"typosquat", FINDING_HOLD, NULL},
    [FINDING_MALFORMED_ARCHIVE] = {"malformed_archive", FINDING_HOLD, NULL},
    [FINDING_PTH_FILE] = {"pth_file", FINDING_HOLD, NULL},
    [FINDING_SDIST_ONLY] = {"sdist_only", FINDING_WARN, NULL},
    [FINDING_POM_REPOSITORIES] = {"pom_repositories", FINDING_WARN, NULL},
    [FINDING_PROVENANCE_REGRESSION] = {"provenance_regression", FINDING_HOLD, "provenance"},
    [FINDING_PUBLISHER_CHANGE] = {"publisher_change", FINDING_WARN, "publisher_change"},
};

const char *finding_kind_name(finding_kind_t k) { return k < FINDING_KIND_COUNT ? KINDS[k].name : "?"; }
finding_action_t finding_default_action(finding_kind_t k) { return k < FINDING_KIND_COUNT ? KINDS[k].def : FINDING_WARN; }

int finding_kind_from_name(const char *s)
{
    for (int k = 0; k < FINDING_KIND_COUNT; k++)
        if (strcmp(KINDS[k].name, s) == 0)
            return k;
    return -1;
}

const char *finding_kind_intel_key(finding_kind_t k) { return k < FINDING_KIND_COUNT ? KINDS[k].intel_key : NULL; }

int finding_kind_from_intel_key(const char *s)
{
    for (int k = 0; k < FINDING_KIND_COUNT; k++)
        if (KINDS[k].intel_key && strcmp(KINDS[k].intel_key, s) == 0)
            return k;
    return -1;
}

const char *finding_action_name(finding_action_t a)
{
    return a == FINDING_HOLD ? "hold" : a == FINDING_WARN ? "warn" : "ignore";
}
