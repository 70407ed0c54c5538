/* ecosystems: the table of ecosystem implementations. */
#include "core/ecosystem.h"

const ecosystem_t *const ecosystems[ECO_COUNT] = {
    [ECO_NPM] = &npm_ecosystem,
    [ECO_PYPI] = &pypi_ecosystem,
    [ECO_MAVEN] = &maven_ecosystem,
};
