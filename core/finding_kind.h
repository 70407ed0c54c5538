/* finding_kind: the kinds of finding analysis can make and what the
 * configuration may do with each (hold, warn, ignore). A vocabulary shared
 * by the configuration (core/config.h: `analysis:` keys), analysis (which
 * makes findings) and policy (which acts on them), so it lives here, below
 * all three. */
#ifndef CORDON_FINDING_KIND_H
#define CORDON_FINDING_KIND_H

typedef enum {
    FINDING_INSTALL_SCRIPT = 0, /* npm preinstall/install/postinstall or binding.gyp, long-standing */
    FINDING_NEW_INSTALL_SCRIPT, /* npm: install scripts where earlier versions had none */
    FINDING_MANIFEST_MISMATCH,  /* the artifact's own manifest contradicts the registry's */
    FINDING_TYPOSQUAT,          /* the name looks like a popular one */
    FINDING_MALFORMED_ARCHIVE,  /* unreadable, a bomb, or hostile paths */
    FINDING_PTH_FILE,           /* PyPI wheel ships a .pth (code at every interpreter start) */
    FINDING_SDIST_ONLY,         /* PyPI release without wheels: its build backend runs at install */
    FINDING_POM_REPOSITORIES,   /* Maven POM declares <repositories>/<pluginRepositories> */
    /* what the package's history says (intel/: learned, not unpacked; set under `intel:`) */
    FINDING_PROVENANCE_REGRESSION, /* no provenance (or another source repository) where its line had it */
    FINDING_PUBLISHER_CHANGE,      /* published by an account that published no earlier version */
    FINDING_KIND_COUNT
} finding_kind_t;

typedef enum { FINDING_IGNORE = 0, FINDING_WARN = 1, FINDING_HOLD = 2 } finding_action_t;

/* "install_script", "pth_file", … (the kind's name in findings, and its
 * `analysis:` key) */
const char *finding_kind_name(finding_kind_t k);
int finding_kind_from_name(const char *s); /* -1 when unknown */
/* the `intel:` key that sets a kind's action ("provenance",
 * "publisher_change"); NULL for the kinds `analysis:` sets */
const char *finding_kind_intel_key(finding_kind_t k);
int finding_kind_from_intel_key(const char *s); /* -1 when none */
const char *finding_action_name(finding_action_t a);
/* the default action per kind (docs/analysis.md) */
finding_action_t finding_default_action(finding_kind_t k);

#endif
