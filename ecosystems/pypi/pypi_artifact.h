/* pypi_artifact: how analysis reads PyPI's files (analysis/artifact.h):
 * wheels, eggs and sdists are walked; in a wheel, .pth files that land in
 * site-packages (Python runs them at every interpreter start) and its
 * .dist-info/METADATA, whose Name and Version must be the ones the file is
 * served as. */
#ifndef CORDON_PYPI_ARTIFACT_H
#define CORDON_PYPI_ARTIFACT_H

#include "analysis/artifact.h"

extern const artifact_reader_t pypi_artifacts;

#endif
