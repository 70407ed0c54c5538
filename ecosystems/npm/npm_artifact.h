/* npm_artifact: how analysis reads npm's artifacts (analysis/artifact.h):
 * a tarball's package/package.json against the registry's manifest of the
 * version (the job's expected document; ecosystems/npm/npm_manifest.h), and
 * package/binding.gyp, which makes npm run node-gyp at install. */
#ifndef CORDON_NPM_ARTIFACT_H
#define CORDON_NPM_ARTIFACT_H

#include "analysis/artifact.h"

extern const artifact_reader_t npm_artifacts;

#endif
