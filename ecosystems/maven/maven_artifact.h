/* maven_artifact: how analysis reads Maven's files (analysis/artifact.h):
 * any file under a version's directory; POMs are read as XML for the
 * repositories they declare; Java archives (jar, war, …) for their
 * META-INF/maven/…/pom.properties, whose coordinates must be the ones the
 * jar is served as unless its POM explains them (a relocation, a bundled
 * dependency); other zips, tarballs and compressed files are walked; the
 * archive formats cordon does not read are refused. */
#ifndef CORDON_MAVEN_ARTIFACT_H
#define CORDON_MAVEN_ARTIFACT_H

#include "analysis/artifact.h"

extern const artifact_reader_t maven_artifacts;

#endif
