/* unit tests: the npm-family lockfile parsers (ecosystems/npm/npm_lock.c,
 * yarn_lock.c, pnpm_lock.c) through the public lockfile_parse.
 *
 * The samples were written by the real clients (npm 11 for lockfileVersion
 * 1, 2 and 3; pnpm 8 for 6.0 and pnpm 9 for 9.0; yarn 1.22 and yarn 4)
 * against the fixture registry (tests/fixtures/upstream.py), then edited by
 * hand: the host became 127.0.0.1:4873, and entries the fixture cannot
 * produce were added in the clients' own shapes (git, file:, portal:, patch:,
 * __archiveUrl, devOptional, sha1-only, multi-specifier headers). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/buf.h"
#include "core/lockfile.h"
#include "ecosystems/eco_ids.h"
#include "tests/unit/test.h"

#define I_SCOPED "sha512-XbLIzdkCCMN1NyyjEsJGpIZ/SLqil6g2gxiPt7KBi5SYxqjkfr9pYS3AJVI6dgcaqM3kZvEwmMFIXD+xkqRM2A=="
#define I_APP "sha512-rWd2OWeaXmQSBnhyyxCBnBrWZ3kiO+dOX9KUSw7ug91XQ8T5OeGPcknJjL2aF5oxByN5WLKXByWJkewN4t8BZg=="
#define I_DEV "sha512-uQ1GgSMR2bErackiJDdmugqaQ5lZpYGNXNZULGLqi/Lw84kd10ajkFwftwAmVE+/sEaNdIkIFxgJvZsTccQHLQ=="
#define I_LIB1 "sha512-u5NWYyiRcEm0CldXkbTnuaPglPujAyX+B5kzrhpvdp1ZxS2wFLz/WJ1LJmTnBwmaY01rKByiO3cQyWZcNSO1Hg=="
#define I_LIB2 "sha512-oeTxxmirle+WytPtyn0WWTVzyoU2BXB/mkJrH1ieyHNht/PjK9hSYT7imQGnoSstPl3gyMXYvSxyQ++fq+VBKw=="
#define I_HOST "sha512-lh/BaslmaMtuteOj2Ylb1I1AjlDK/xgzSshFaKw2okyhx94tNdEONysYL3Datvm0v+7u0yu0ZTv2yjvnnbtLGg=="
#define I_USER "sha512-+sjdXhqsr8J844MWNIo561ZLHc6KRCtuV6piqt0csTsBxoXE2unlRr23FXN9938rzw56BG0azXWMJZ2zQanHcw=="
#define I_SHA1_SCOPED2 "sha1-UO1aWSTRxFDA66YJmOb3ayn8prY="
#define REG "http://127.0.0.1:4873/"
#define GIT_COMMIT "0123456789abcdef0123456789abcdef01234567"

/* ---- samples ---- */

/* npm 11, lockfileVersion 3, plus: a dev nested scoped package (sha1 SRI), an
 * optional devOptional package with two hashes, a workspace and its link */
static const char NPM_V3[] =
    "{\n"
    "  \"name\": \"proj\",\n"
    "  \"version\": \"1.0.0\",\n"
    "  \"lockfileVersion\": 3,\n"
    "  \"requires\": true,\n"
    "  \"packages\": {\n"
    "    \"\": {\n"
    "      \"name\": \"proj\",\n"
    "      \"version\": \"1.0.0\",\n"
    "      \"dependencies\": {\n"
    "        \"alias-lib\": \"npm:lk-lib@^2.0.0\",\n"
    "        \"lk-app\": \"^1.0.0\",\n"
    "        \"lk-peer-host\": \"^18.0.0\",\n"
    "        \"lk-peer-user\": \"^1.0.0\"\n"
    "      },\n"
    "      \"devDependencies\": {\n"
    "        \"lk-dev\": \"^0.5.0\"\n"
    "      },\n"
    "      \"optionalDependencies\": {\n"
    "        \"lk-opt\": \"^1.0.0\"\n"
    "      },\n"
    "      \"workspaces\": [\n"
    "        \"packages/ws\"\n"
    "      ]\n"
    "    },\n"
    "    \"node_modules/@lk/scoped\": {\n"
    "      \"version\": \"3.1.0\",\n"
    "      \"resolved\": \"http://127.0.0.1:4873/@lk/scoped/-/scoped-3.1.0.tgz\",\n"
    "      \"integrity\": \"sha512-XbLIzdkCCMN1NyyjEsJGpIZ/SLqil6g2gxiPt7KBi5SYxqjkfr9pYS3AJVI6dgcaqM3kZvEwmMFIXD+xkqRM2A==\",\n"
    "      \"license\": \"MIT\"\n"
    "    },\n"
    "    \"node_modules/alias-lib\": {\n"
    "      \"name\": \"lk-lib\",\n"
    "      \"version\": \"2.0.0\",\n"
    "      \"resolved\": \"http://127.0.0.1:4873/lk-lib/-/lk-lib-2.0.0.tgz\",\n"
    "      \"integrity\": \"sha512-oeTxxmirle+WytPtyn0WWTVzyoU2BXB/mkJrH1ieyHNht/PjK9hSYT7imQGnoSstPl3gyMXYvSxyQ++fq+VBKw==\",\n"
    "      \"license\": \"MIT\"\n"
    "    },\n"
    "    \"node_modules/lk-app\": {\n"
    "      \"version\": \"1.0.0\",\n"
    "      \"resolved\": \"http://127.0.0.1:4873/lk-app/-/lk-app-1.0.0.tgz\",\n"
    "      \"integrity\": \"sha512-rWd2OWeaXmQSBnhyyxCBnBrWZ3kiO+dOX9KUSw7ug91XQ8T5OeGPcknJjL2aF5oxByN5WLKXByWJkewN4t8BZg==\",\n"
    "      \"license\": \"MIT\",\n"
    "      \"dependencies\": {\n"
    "        \"@lk/scoped\": \"^3.0.0\",\n"
    "        \"lk-lib\": \"^1.0.0\"\n"
    "      }\n"
    "    },\n"
    "    \"node_modules/lk-dev\": {\n"
    "      \"version\": \"0.5.0\",\n"
    "      \"resolved\": \"http://127.0.0.1:4873/lk-dev/-/lk-dev-0.5.0.tgz\",\n"
    "      \"integrity\": \"sha512-uQ1GgSMR2bErackiJDdmugqaQ5lZpYGNXNZULGLqi/Lw84kd10ajkFwftwAmVE+/sEaNdIkIFxgJvZsTccQHLQ==\",\n"
    "      \"dev\": true,\n"
    "      \"license\": \"MIT\",\n"
    "      \"dependencies\": {\n"
    "        \"lk-lib\": \"^1.0.0\"\n"
    "      }\n"
    "    },\n"
    "    \"node_modules/lk-lib\": {\n"
    "      \"version\": \"1.0.0\",\n"
    "      \"resolved\": \"http://127.0.0.1:4873/lk-lib/-/lk-lib-1.0.0.tgz\",\n"
    "      \"integrity\": \"sha512-u5NWYyiRcEm0CldXkbTnuaPglPujAyX+B5kzrhpvdp1ZxS2wFLz/WJ1LJmTnBwmaY01rKByiO3cQyWZcNSO1Hg==\",\n"
    "      \"license\": \"MIT\"\n"
    "    },\n"
    "    \"node_modules/lk-peer-host\": {\n"
    "      \"version\": \"18.0.0\",\n"
    "      \"resolved\": \"http://127.0.0.1:4873/lk-peer-host/-/lk-peer-host-18.0.0.tgz\",\n"
    "      \"integrity\": \"sha512-lh/BaslmaMtuteOj2Ylb1I1AjlDK/xgzSshFaKw2okyhx94tNdEONysYL3Datvm0v+7u0yu0ZTv2yjvnnbtLGg==\",\n"
    "      \"license\": \"MIT\"\n"
    "    },\n"
    "    \"node_modules/lk-peer-user\": {\n"
    "      \"version\": \"1.0.0\",\n"
    "      \"resolved\": \"http://127.0.0.1:4873/lk-peer-user/-/lk-peer-user-1.0.0.tgz\",\n"
    "      \"integrity\": \"sha512-+sjdXhqsr8J844MWNIo561ZLHc6KRCtuV6piqt0csTsBxoXE2unlRr23FXN9938rzw56BG0azXWMJZ2zQanHcw==\",\n"
    "      \"license\": \"MIT\",\n"
    "      \"dependencies\": {\n"
    "        \"lk-lib\": \"^2.0.0\"\n"
    "      },\n"
    "      \"peerDependencies\": {\n"
    "        \"lk-peer-host\": \"^18.0.0\"\n"
    "      }\n"
    "    },\n"
    "    \"node_modules/lk-peer-user/node_modules/lk-lib\": {\n"
    "      \"version\": \"2.0.0\",\n"
    "      \"resolved\": \"http://127.0.0.1:4873/lk-lib/-/lk-lib-2.0.0.tgz\",\n"
    "      \"integrity\": \"sha512-oeTxxmirle+WytPtyn0WWTVzyoU2BXB/mkJrH1ieyHNht/PjK9hSYT7imQGnoSstPl3gyMXYvSxyQ++fq+VBKw==\",\n"
    "      \"license\": \"MIT\"\n"
    "    },\n"
    "    \"node_modules/lk-app/node_modules/@lk/scoped\": {\n"
    "      \"version\": \"2.0.0\",\n"
    "      \"resolved\": \"http://127.0.0.1:4873/@lk/scoped/-/scoped-2.0.0.tgz\",\n"
    "      \"integrity\": \"sha1-UO1aWSTRxFDA66YJmOb3ayn8prY=\",\n"
    "      \"dev\": true\n"
    "    },\n"
    "    \"node_modules/lk-opt\": {\n"
    "      \"version\": \"1.0.1\",\n"
    "      \"resolved\": \"http://127.0.0.1:4873/lk-opt/-/lk-opt-1.0.1.tgz\",\n"
    "      \"integrity\": \"sha512-u5NWYyiRcEm0CldXkbTnuaPglPujAyX+B5kzrhpvdp1ZxS2wFLz/WJ1LJmTnBwmaY01rKByiO3cQyWZcNSO1Hg== sha1-K3wH7jxm8ShZzXsexpHWr3xZkMw=\",\n"
    "      \"devOptional\": true,\n"
    "      \"optional\": true,\n"
    "      \"os\": [\n"
    "        \"linux\"\n"
    "      ]\n"
    "    },\n"
    "    \"node_modules/ws\": {\n"
    "      \"resolved\": \"packages/ws\",\n"
    "      \"link\": true\n"
    "    },\n"
    "    \"packages/ws\": {\n"
    "      \"name\": \"ws\",\n"
    "      \"version\": \"0.1.0\",\n"
    "      \"dependencies\": {\n"
    "        \"lk-peer-host\": \"^18.0.0\"\n"
    "      }\n"
    "    }\n"
    "  }\n"
    "}\n";

/* npm 11 --lockfile-version 1, plus a file: and a git dependency and a
 * nested dev package */
static const char NPM_V1[] =
    "{\n"
    "  \"name\": \"proj\",\n"
    "  \"version\": \"1.0.0\",\n"
    "  \"lockfileVersion\": 1,\n"
    "  \"requires\": true,\n"
    "  \"dependencies\": {\n"
    "    \"@lk/scoped\": {\n"
    "      \"version\": \"3.1.0\",\n"
    "      \"resolved\": \"http://127.0.0.1:4873/@lk/scoped/-/scoped-3.1.0.tgz\",\n"
    "      \"integrity\": \"sha512-XbLIzdkCCMN1NyyjEsJGpIZ/SLqil6g2gxiPt7KBi5SYxqjkfr9pYS3AJVI6dgcaqM3kZvEwmMFIXD+xkqRM2A==\"\n"
    "    },\n"
    "    \"alias-lib\": {\n"
    "      \"version\": \"npm:lk-lib@2.0.0\",\n"
    "      \"resolved\": \"http://127.0.0.1:4873/lk-lib/-/lk-lib-2.0.0.tgz\",\n"
    "      \"integrity\": \"sha512-oeTxxmirle+WytPtyn0WWTVzyoU2BXB/mkJrH1ieyHNht/PjK9hSYT7imQGnoSstPl3gyMXYvSxyQ++fq+VBKw==\"\n"
    "    },\n"
    "    \"lk-app\": {\n"
    "      \"version\": \"1.0.0\",\n"
    "      \"resolved\": \"http://127.0.0.1:4873/lk-app/-/lk-app-1.0.0.tgz\",\n"
    "      \"integrity\": \"sha512-rWd2OWeaXmQSBnhyyxCBnBrWZ3kiO+dOX9KUSw7ug91XQ8T5OeGPcknJjL2aF5oxByN5WLKXByWJkewN4t8BZg==\",\n"
    "      \"requires\": {\n"
    "        \"@lk/scoped\": \"^3.0.0\",\n"
    "        \"lk-lib\": \"^1.0.0\"\n"
    "      }\n"
    "    },\n"
    "    \"lk-dev\": {\n"
    "      \"version\": \"0.5.0\",\n"
    "      \"resolved\": \"http://127.0.0.1:4873/lk-dev/-/lk-dev-0.5.0.tgz\",\n"
    "      \"integrity\": \"sha512-uQ1GgSMR2bErackiJDdmugqaQ5lZpYGNXNZULGLqi/Lw84kd10ajkFwftwAmVE+/sEaNdIkIFxgJvZsTccQHLQ==\",\n"
    "      \"dev\": true,\n"
    "      \"requires\": {\n"
    "        \"lk-lib\": \"^1.0.0\"\n"
    "      },\n"
    "      \"dependencies\": {\n"
    "        \"@lk/scoped\": {\n"
    "          \"version\": \"2.0.0\",\n"
    "          \"resolved\": \"http://127.0.0.1:4873/@lk/scoped/-/scoped-2.0.0.tgz\",\n"
    "          \"integrity\": \"sha1-UO1aWSTRxFDA66YJmOb3ayn8prY=\",\n"
    "          \"dev\": true\n"
    "        }\n"
    "      }\n"
    "    },\n"
    "    \"lk-lib\": {\n"
    "      \"version\": \"1.0.0\",\n"
    "      \"resolved\": \"http://127.0.0.1:4873/lk-lib/-/lk-lib-1.0.0.tgz\",\n"
    "      \"integrity\": \"sha512-u5NWYyiRcEm0CldXkbTnuaPglPujAyX+B5kzrhpvdp1ZxS2wFLz/WJ1LJmTnBwmaY01rKByiO3cQyWZcNSO1Hg==\"\n"
    "    },\n"
    "    \"lk-peer-host\": {\n"
    "      \"version\": \"18.0.0\",\n"
    "      \"resolved\": \"http://127.0.0.1:4873/lk-peer-host/-/lk-peer-host-18.0.0.tgz\",\n"
    "      \"integrity\": \"sha512-lh/BaslmaMtuteOj2Ylb1I1AjlDK/xgzSshFaKw2okyhx94tNdEONysYL3Datvm0v+7u0yu0ZTv2yjvnnbtLGg==\"\n"
    "    },\n"
    "    \"lk-peer-user\": {\n"
    "      \"version\": \"1.0.0\",\n"
    "      \"resolved\": \"http://127.0.0.1:4873/lk-peer-user/-/lk-peer-user-1.0.0.tgz\",\n"
    "      \"integrity\": \"sha512-+sjdXhqsr8J844MWNIo561ZLHc6KRCtuV6piqt0csTsBxoXE2unlRr23FXN9938rzw56BG0azXWMJZ2zQanHcw==\",\n"
    "      \"requires\": {\n"
    "        \"lk-lib\": \"^2.0.0\"\n"
    "      },\n"
    "      \"dependencies\": {\n"
    "        \"lk-lib\": {\n"
    "          \"version\": \"2.0.0\",\n"
    "          \"resolved\": \"http://127.0.0.1:4873/lk-lib/-/lk-lib-2.0.0.tgz\",\n"
    "          \"integrity\": \"sha512-oeTxxmirle+WytPtyn0WWTVzyoU2BXB/mkJrH1ieyHNht/PjK9hSYT7imQGnoSstPl3gyMXYvSxyQ++fq+VBKw==\"\n"
    "        }\n"
    "      }\n"
    "    },\n"
    "    \"lk-local\": {\n"
    "      \"version\": \"file:../lk-local\"\n"
    "    },\n"
    "    \"lk-git\": {\n"
    "      \"version\": \"git+ssh://git@127.0.0.1/lk/lk-git.git#0123456789abcdef0123456789abcdef01234567\",\n"
    "      \"from\": \"lk-git@git+ssh://git@127.0.0.1/lk/lk-git.git\"\n"
    "    }\n"
    "  }\n"
    "}\n";

/* lockfileVersion 2: "packages" wins over the v1 copy for old clients */
static const char NPM_V2[] =
    "{\n"
    "  \"name\": \"proj\",\n"
    "  \"version\": \"1.0.0\",\n"
    "  \"lockfileVersion\": 2,\n"
    "  \"requires\": true,\n"
    "  \"packages\": {\n"
    "    \"\": {\n"
    "      \"name\": \"proj\",\n"
    "      \"version\": \"1.0.0\",\n"
    "      \"dependencies\": {\n"
    "        \"lk-lib\": \"^1.0.0\"\n"
    "      }\n"
    "    },\n"
    "    \"node_modules/lk-lib\": {\n"
    "      \"version\": \"1.0.0\",\n"
    "      \"resolved\": \"http://127.0.0.1:4873/lk-lib/-/lk-lib-1.0.0.tgz\",\n"
    "      \"integrity\": \"sha512-u5NWYyiRcEm0CldXkbTnuaPglPujAyX+B5kzrhpvdp1ZxS2wFLz/WJ1LJmTnBwmaY01rKByiO3cQyWZcNSO1Hg==\"\n"
    "    }\n"
    "  },\n"
    "  \"dependencies\": {\n"
    "    \"lk-lib\": {\n"
    "      \"version\": \"1.0.0\",\n"
    "      \"resolved\": \"http://127.0.0.1:4873/lk-lib/-/lk-lib-1.0.0.tgz\",\n"
    "      \"integrity\": \"sha512-u5NWYyiRcEm0CldXkbTnuaPglPujAyX+B5kzrhpvdp1ZxS2wFLz/WJ1LJmTnBwmaY01rKByiO3cQyWZcNSO1Hg==\"\n"
    "    },\n"
    "    \"lk-only-in-v1-copy\": {\n"
    "      \"version\": \"9.9.9\"\n"
    "    }\n"
    "  }\n"
    "}\n";

/* npm 11 workspaces: packages/b has its own lk-lib 2.0.0; the hoisted 1.0.0
 * is lk-app's, not a direct one */
static const char NPM_WS[] =
    "{\n"
    "  \"name\": \"root\",\n"
    "  \"version\": \"1.0.0\",\n"
    "  \"lockfileVersion\": 3,\n"
    "  \"requires\": true,\n"
    "  \"packages\": {\n"
    "    \"\": {\n"
    "      \"name\": \"root\",\n"
    "      \"version\": \"1.0.0\",\n"
    "      \"workspaces\": [\n"
    "        \"packages/*\"\n"
    "      ],\n"
    "      \"devDependencies\": {\n"
    "        \"lk-dev\": \"^0.5.0\"\n"
    "      }\n"
    "    },\n"
    "    \"node_modules/@lk/scoped\": {\n"
    "      \"version\": \"3.1.0\",\n"
    "      \"integrity\": \"sha512-XbLIzdkCCMN1NyyjEsJGpIZ/SLqil6g2gxiPt7KBi5SYxqjkfr9pYS3AJVI6dgcaqM3kZvEwmMFIXD+xkqRM2A==\",\n"
    "      \"license\": \"MIT\"\n"
    "    },\n"
    "    \"node_modules/a\": {\n"
    "      \"resolved\": \"packages/a\",\n"
    "      \"link\": true\n"
    "    },\n"
    "    \"node_modules/b\": {\n"
    "      \"resolved\": \"packages/b\",\n"
    "      \"link\": true\n"
    "    },\n"
    "    \"node_modules/lk-app\": {\n"
    "      \"version\": \"1.0.0\",\n"
    "      \"integrity\": \"sha512-rWd2OWeaXmQSBnhyyxCBnBrWZ3kiO+dOX9KUSw7ug91XQ8T5OeGPcknJjL2aF5oxByN5WLKXByWJkewN4t8BZg==\",\n"
    "      \"license\": \"MIT\",\n"
    "      \"dependencies\": {\n"
    "        \"@lk/scoped\": \"^3.0.0\",\n"
    "        \"lk-lib\": \"^1.0.0\"\n"
    "      }\n"
    "    },\n"
    "    \"node_modules/lk-dev\": {\n"
    "      \"version\": \"0.5.0\",\n"
    "      \"integrity\": \"sha512-uQ1GgSMR2bErackiJDdmugqaQ5lZpYGNXNZULGLqi/Lw84kd10ajkFwftwAmVE+/sEaNdIkIFxgJvZsTccQHLQ==\",\n"
    "      \"dev\": true,\n"
    "      \"license\": \"MIT\",\n"
    "      \"dependencies\": {\n"
    "        \"lk-lib\": \"^1.0.0\"\n"
    "      }\n"
    "    },\n"
    "    \"node_modules/lk-lib\": {\n"
    "      \"version\": \"1.0.0\",\n"
    "      \"integrity\": \"sha512-u5NWYyiRcEm0CldXkbTnuaPglPujAyX+B5kzrhpvdp1ZxS2wFLz/WJ1LJmTnBwmaY01rKByiO3cQyWZcNSO1Hg==\",\n"
    "      \"license\": \"MIT\"\n"
    "    },\n"
    "    \"packages/a\": {\n"
    "      \"version\": \"1.0.0\",\n"
    "      \"dependencies\": {\n"
    "        \"b\": \"^1.0.0\",\n"
    "        \"lk-app\": \"^1.0.0\"\n"
    "      }\n"
    "    },\n"
    "    \"packages/b\": {\n"
    "      \"version\": \"1.0.0\",\n"
    "      \"dependencies\": {\n"
    "        \"lk-lib\": \"^2.0.0\"\n"
    "      }\n"
    "    },\n"
    "    \"packages/b/node_modules/lk-lib\": {\n"
    "      \"version\": \"2.0.0\",\n"
    "      \"integrity\": \"sha512-oeTxxmirle+WytPtyn0WWTVzyoU2BXB/mkJrH1ieyHNht/PjK9hSYT7imQGnoSstPl3gyMXYvSxyQ++fq+VBKw==\",\n"
    "      \"license\": \"MIT\"\n"
    "    }\n"
    "  }\n"
    "}\n";

/* yarn 1.22, plus a multi-specifier header, a git, a file: and a sha1-only
 * (pre-1.10) entry */
static const char YARN_CLASSIC[] =
    "# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.\n"
    "# yarn lockfile v1\n"
    "\n"
    "\n"
    "\"@lk/scoped@^3.0.0\":\n"
    "  version \"3.1.0\"\n"
    "  resolved \"http://127.0.0.1:4873/@lk/scoped/-/scoped-3.1.0.tgz#50ed5a5924d1c450c0eba60998e6f76b29fca6b6\"\n"
    "  integrity sha512-XbLIzdkCCMN1NyyjEsJGpIZ/SLqil6g2gxiPt7KBi5SYxqjkfr9pYS3AJVI6dgcaqM3kZvEwmMFIXD+xkqRM2A==\n"
    "\n"
    "\"alias-lib@npm:lk-lib@^2.0.0\":\n"
    "  version \"2.0.0\"\n"
    "  resolved \"http://127.0.0.1:4873/lk-lib/-/lk-lib-2.0.0.tgz#b376f0e71bfd2a5b10b2d5ca651bfd54a80f5a0a\"\n"
    "  integrity sha512-oeTxxmirle+WytPtyn0WWTVzyoU2BXB/mkJrH1ieyHNht/PjK9hSYT7imQGnoSstPl3gyMXYvSxyQ++fq+VBKw==\n"
    "\n"
    "lk-app@^1.0.0:\n"
    "  version \"1.0.0\"\n"
    "  resolved \"http://127.0.0.1:4873/lk-app/-/lk-app-1.0.0.tgz#ec771b75d83e4e79186098e03f85ba4bcab2d4cb\"\n"
    "  integrity sha512-rWd2OWeaXmQSBnhyyxCBnBrWZ3kiO+dOX9KUSw7ug91XQ8T5OeGPcknJjL2aF5oxByN5WLKXByWJkewN4t8BZg==\n"
    "  dependencies:\n"
    "    \"@lk/scoped\" \"^3.0.0\"\n"
    "    lk-lib \"^1.0.0\"\n"
    "\n"
    "lk-dev@^0.5.0:\n"
    "  version \"0.5.0\"\n"
    "  resolved \"http://127.0.0.1:4873/lk-dev/-/lk-dev-0.5.0.tgz#b6c036a73143a9a4dec6ab8eabead9a6bdc7d2a9\"\n"
    "  integrity sha512-uQ1GgSMR2bErackiJDdmugqaQ5lZpYGNXNZULGLqi/Lw84kd10ajkFwftwAmVE+/sEaNdIkIFxgJvZsTccQHLQ==\n"
    "  dependencies:\n"
    "    lk-lib \"^1.0.0\"\n"
    "\n"
    "\"lk-git@git+ssh://git@127.0.0.1/lk/lk-git.git\":\n"
    "  version \"1.0.0\"\n"
    "  resolved \"git+ssh://git@127.0.0.1/lk/lk-git.git#0123456789abcdef0123456789abcdef01234567\"\n"
    "\n"
    "lk-lib@^1.0.0, lk-lib@~1.0.0:\n"
    "  version \"1.0.0\"\n"
    "  resolved \"http://127.0.0.1:4873/lk-lib/-/lk-lib-1.0.0.tgz#2b7c07ee3c66f12859cd7b1ec691d6af7c5990cc\"\n"
    "  integrity sha512-u5NWYyiRcEm0CldXkbTnuaPglPujAyX+B5kzrhpvdp1ZxS2wFLz/WJ1LJmTnBwmaY01rKByiO3cQyWZcNSO1Hg==\n"
    "\n"
    "lk-lib@^2.0.0:\n"
    "  version \"2.0.0\"\n"
    "  resolved \"http://127.0.0.1:4873/lk-lib/-/lk-lib-2.0.0.tgz#b376f0e71bfd2a5b10b2d5ca651bfd54a80f5a0a\"\n"
    "  integrity sha512-oeTxxmirle+WytPtyn0WWTVzyoU2BXB/mkJrH1ieyHNht/PjK9hSYT7imQGnoSstPl3gyMXYvSxyQ++fq+VBKw==\n"
    "\n"
    "\"lk-local@file:../lk-local\":\n"
    "  version \"0.0.1\"\n"
    "\n"
    "lk-old@^0.1.0:\n"
    "  version \"0.1.2\"\n"
    "  resolved \"http://127.0.0.1:4873/lk-old/-/lk-old-0.1.2.tgz#2B7C07EE3C66F12859CD7B1EC691D6AF7C5990CC\"\n"
    "\n"
    "lk-peer-host@^18.0.0:\n"
    "  version \"18.0.0\"\n"
    "  resolved \"http://127.0.0.1:4873/lk-peer-host/-/lk-peer-host-18.0.0.tgz#4cdaba8b1c62b97f4af0b685ee7986e59cbc5253\"\n"
    "  integrity sha512-lh/BaslmaMtuteOj2Ylb1I1AjlDK/xgzSshFaKw2okyhx94tNdEONysYL3Datvm0v+7u0yu0ZTv2yjvnnbtLGg==\n"
    "\n"
    "lk-peer-user@^1.0.0:\n"
    "  version \"1.0.0\"\n"
    "  resolved \"http://127.0.0.1:4873/lk-peer-user/-/lk-peer-user-1.0.0.tgz#3549486d791360807ab811fd35d07fee18b44d02\"\n"
    "  integrity sha512-+sjdXhqsr8J844MWNIo561ZLHc6KRCtuV6piqt0csTsBxoXE2unlRr23FXN9938rzw56BG0azXWMJZ2zQanHcw==\n"
    "  dependencies:\n"
    "    lk-lib \"^2.0.0\"\n";

/* yarn 4.9, plus portal:, __archiveUrl, git, a patch: of an npm package and
 * a patch: of a workspace */
static const char YARN_BERRY[] =
    "# This file is generated by running \"yarn install\" inside your project.\n"
    "# Manual changes might be lost - proceed with caution!\n"
    "\n"
    "__metadata:\n"
    "  version: 8\n"
    "  cacheKey: 10c0\n"
    "\n"
    "\"@lk/scoped@npm:^3.0.0\":\n"
    "  version: 3.1.0\n"
    "  resolution: \"@lk/scoped@npm:3.1.0\"\n"
    "  checksum: 10c0/b1bfb20f7c95df83e79facf038da750c45e2f7cfe67d1f3135bd40c6798c3894a11d650ddd6aa7931877d7ccb177c4ad9f5a89d2a66fe84dc8466390d91ea28c\n"
    "  languageName: node\n"
    "  linkType: hard\n"
    "\n"
    "\"alias-lib@npm:lk-lib@^2.0.0, lk-lib@npm:^2.0.0\":\n"
    "  version: 2.0.0\n"
    "  resolution: \"lk-lib@npm:2.0.0\"\n"
    "  checksum: 10c0/71f6851ec49e317a1cdfa227bb92e6898c2ce510994db0abb9e7132ac9d3a7dc8b45b6c08866eff63b7b2bbe9ee8d92c60d0fed4240abee515f14f4fdb795d73\n"
    "  languageName: node\n"
    "  linkType: hard\n"
    "\n"
    "\"lk-app@npm:^1.0.0\":\n"
    "  version: 1.0.0\n"
    "  resolution: \"lk-app@npm:1.0.0\"\n"
    "  dependencies:\n"
    "    \"@lk/scoped\": \"npm:^3.0.0\"\n"
    "    lk-lib: \"npm:^1.0.0\"\n"
    "  checksum: 10c0/87443ccccc36576e323d199325694a2a1053a75d7010d74b92792c39ba7cb33e7b3d64fe14013a06d650db8c683f2be2aab62e854a3adb4fd1c08274718628ac\n"
    "  languageName: node\n"
    "  linkType: hard\n"
    "\n"
    "\"lk-dev@npm:^0.5.0\":\n"
    "  version: 0.5.0\n"
    "  resolution: \"lk-dev@npm:0.5.0\"\n"
    "  dependencies:\n"
    "    lk-lib: \"npm:^1.0.0\"\n"
    "  checksum: 10c0/514604b7d09f35a8f71d9ca8d2477a933fa8b41c796e1b1e0e835637a77d706c43b43a617e37cefdda9ddeabdd83bf2aeacb011785f7255ffdef2033f10ebd76\n"
    "  languageName: node\n"
    "  linkType: hard\n"
    "\n"
    "\"lk-lib@npm:^1.0.0\":\n"
    "  version: 1.0.0\n"
    "  resolution: \"lk-lib@npm:1.0.0\"\n"
    "  checksum: 10c0/e4fd73170f08f7f8d874ab5253a681d8a3f1ca796c38f8f8300266149964ea772cfa2c32deea766339b8f5c30d5ed4ee01919323888a3124aaa7fcc6243d226c\n"
    "  languageName: node\n"
    "  linkType: hard\n"
    "\n"
    "\"lk-local@portal:../lk-local::locator=proj%40workspace%3A.\":\n"
    "  version: 0.0.0-use.local\n"
    "  resolution: \"lk-local@portal:../lk-local::locator=proj%40workspace%3A.\"\n"
    "  languageName: node\n"
    "  linkType: soft\n"
    "\n"
    "\"lk-far@npm:^1.2.0\":\n"
    "  version: 1.2.0\n"
    "  resolution: \"lk-far@npm:1.2.0::__archiveUrl=http%3A%2F%2F127.0.0.1%3A4873%2Flk-far%2F-%2Flk-far-1.2.0.tgz\"\n"
    "  checksum: 10c0/b1bfb20f7c95df83e79facf038da750c45e2f7cfe67d1f3135bd40c6798c3894a11d650ddd6aa7931877d7ccb177c4ad9f5a89d2a66fe84dc8466390d91ea28c\n"
    "  languageName: node\n"
    "  linkType: hard\n"
    "\n"
    "\"lk-git@git+ssh://git@127.0.0.1/lk/lk-git.git\":\n"
    "  version: 1.0.0\n"
    "  resolution: \"lk-git@git+ssh://git@127.0.0.1/lk/lk-git.git#commit=0123456789abcdef0123456789abcdef01234567\"\n"
    "  checksum: 10c0/e4fd73170f08f7f8d874ab5253a681d8a3f1ca796c38f8f8300266149964ea772cfa2c32deea766339b8f5c30d5ed4ee01919323888a3124aaa7fcc6243d226c\n"
    "  languageName: node\n"
    "  linkType: hard\n"
    "\n"
    "\"lk-lib@patch:lk-lib@npm%3A^1.0.0#~/.yarn/patches/lk-lib-npm-1.0.0-5e2f0c8a1b.patch\":\n"
    "  version: 1.0.0\n"
    "  resolution: \"lk-lib@patch:lk-lib@npm%3A1.0.0#~/.yarn/patches/lk-lib-npm-1.0.0-5e2f0c8a1b.patch::version=1.0.0&hash=7e1b5a&locator=proj%40workspace%3A.\"\n"
    "  checksum: 10c0/0a3ffd8e0a3a3a6e0c1e2d7d3b9f0a3c2e1d4b5a6978e0d1c2b3a4f5e6d7c8b9a0f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3\n"
    "  languageName: node\n"
    "  linkType: hard\n"
    "\n"
    "\"lk-patched-ws@patch:lk-ws@workspace%3Apackages/ws#./ws.patch::locator=proj%40workspace%3A.\":\n"
    "  version: 0.1.0\n"
    "  resolution: \"lk-patched-ws@patch:lk-ws@workspace%3Apackages/ws#./ws.patch::version=0.1.0&hash=aa11bb&locator=proj%40workspace%3A.\"\n"
    "  languageName: unknown\n"
    "  linkType: soft\n"
    "\n"
    "\"lk-peer-host@npm:^18.0.0\":\n"
    "  version: 18.0.0\n"
    "  resolution: \"lk-peer-host@npm:18.0.0\"\n"
    "  checksum: 10c0/2811ce6d312b110c06b10a2f626a25bd95a58af8af4ee75045bffe54d7544aa4e2436e3ff683f241027376d1e808323ec5d113fa28d389997952c18c3e487d4e\n"
    "  languageName: node\n"
    "  linkType: hard\n"
    "\n"
    "\"lk-peer-user@npm:^1.0.0\":\n"
    "  version: 1.0.0\n"
    "  resolution: \"lk-peer-user@npm:1.0.0\"\n"
    "  dependencies:\n"
    "    lk-lib: \"npm:^2.0.0\"\n"
    "  peerDependencies:\n"
    "    lk-peer-host: ^18.0.0\n"
    "  checksum: 10c0/c28a7d15a3f335ec5d0edecf7874bc12f0ffbd5f7059a0e1907645582627298843948211853cd9c332224dcc58af3322e520874357ff75b0be1c34dba080ba5e\n"
    "  languageName: node\n"
    "  linkType: hard\n"
    "\n"
    "\"proj@workspace:.\":\n"
    "  version: 0.0.0-use.local\n"
    "  resolution: \"proj@workspace:.\"\n"
    "  dependencies:\n"
    "    alias-lib: \"npm:lk-lib@^2.0.0\"\n"
    "    lk-app: \"npm:^1.0.0\"\n"
    "    lk-dev: \"npm:^0.5.0\"\n"
    "    lk-far: \"npm:^1.2.0\"\n"
    "    lk-git: \"git+ssh://git@127.0.0.1/lk/lk-git.git\"\n"
    "    lk-lib: \"patch:lk-lib@npm%3A^1.0.0#~/.yarn/patches/lk-lib-npm-1.0.0-5e2f0c8a1b.patch\"\n"
    "    lk-local: \"portal:../lk-local\"\n"
    "    lk-peer-host: \"npm:^18.0.0\"\n"
    "    lk-peer-user: \"npm:^1.0.0\"\n"
    "  languageName: unknown\n"
    "  linkType: soft\n";

/* pnpm 9.15 */
static const char PNPM_V9[] =
    "lockfileVersion: '9.0'\n"
    "\n"
    "settings:\n"
    "  autoInstallPeers: true\n"
    "  excludeLinksFromLockfile: false\n"
    "\n"
    "importers:\n"
    "\n"
    "  .:\n"
    "    dependencies:\n"
    "      alias-lib:\n"
    "        specifier: npm:lk-lib@^2.0.0\n"
    "        version: lk-lib@2.0.0\n"
    "      lk-app:\n"
    "        specifier: ^1.0.0\n"
    "        version: 1.0.0\n"
    "      lk-peer-host:\n"
    "        specifier: ^18.0.0\n"
    "        version: 18.0.0\n"
    "      lk-peer-user:\n"
    "        specifier: ^1.0.0\n"
    "        version: 1.0.0(lk-peer-host@18.0.0)\n"
    "    devDependencies:\n"
    "      lk-dev:\n"
    "        specifier: ^0.5.0\n"
    "        version: 0.5.0\n"
    "\n"
    "packages:\n"
    "\n"
    "  '@lk/scoped@3.1.0':\n"
    "    resolution: {integrity: sha512-XbLIzdkCCMN1NyyjEsJGpIZ/SLqil6g2gxiPt7KBi5SYxqjkfr9pYS3AJVI6dgcaqM3kZvEwmMFIXD+xkqRM2A==}\n"
    "\n"
    "  lk-app@1.0.0:\n"
    "    resolution: {integrity: sha512-rWd2OWeaXmQSBnhyyxCBnBrWZ3kiO+dOX9KUSw7ug91XQ8T5OeGPcknJjL2aF5oxByN5WLKXByWJkewN4t8BZg==}\n"
    "\n"
    "  lk-dev@0.5.0:\n"
    "    resolution: {integrity: sha512-uQ1GgSMR2bErackiJDdmugqaQ5lZpYGNXNZULGLqi/Lw84kd10ajkFwftwAmVE+/sEaNdIkIFxgJvZsTccQHLQ==}\n"
    "\n"
    "  lk-lib@1.0.0:\n"
    "    resolution: {integrity: sha512-u5NWYyiRcEm0CldXkbTnuaPglPujAyX+B5kzrhpvdp1ZxS2wFLz/WJ1LJmTnBwmaY01rKByiO3cQyWZcNSO1Hg==}\n"
    "\n"
    "  lk-lib@2.0.0:\n"
    "    resolution: {integrity: sha512-oeTxxmirle+WytPtyn0WWTVzyoU2BXB/mkJrH1ieyHNht/PjK9hSYT7imQGnoSstPl3gyMXYvSxyQ++fq+VBKw==}\n"
    "\n"
    "  lk-peer-host@18.0.0:\n"
    "    resolution: {integrity: sha512-lh/BaslmaMtuteOj2Ylb1I1AjlDK/xgzSshFaKw2okyhx94tNdEONysYL3Datvm0v+7u0yu0ZTv2yjvnnbtLGg==}\n"
    "\n"
    "  lk-peer-user@1.0.0:\n"
    "    resolution: {integrity: sha512-+sjdXhqsr8J844MWNIo561ZLHc6KRCtuV6piqt0csTsBxoXE2unlRr23FXN9938rzw56BG0azXWMJZ2zQanHcw==}\n"
    "    peerDependencies:\n"
    "      lk-peer-host: ^18.0.0\n"
    "\n"
    "snapshots:\n"
    "\n"
    "  '@lk/scoped@3.1.0': {}\n"
    "\n"
    "  lk-app@1.0.0:\n"
    "    dependencies:\n"
    "      '@lk/scoped': 3.1.0\n"
    "      lk-lib: 1.0.0\n"
    "\n"
    "  lk-dev@0.5.0:\n"
    "    dependencies:\n"
    "      lk-lib: 1.0.0\n"
    "\n"
    "  lk-lib@1.0.0: {}\n"
    "\n"
    "  lk-lib@2.0.0: {}\n"
    "\n"
    "  lk-peer-host@18.0.0: {}\n"
    "\n"
    "  lk-peer-user@1.0.0(lk-peer-host@18.0.0):\n"
    "    dependencies:\n"
    "      lk-lib: 2.0.0\n"
    "      lk-peer-host: 18.0.0\n";

/* pnpm 8.15 (lockfileVersion 6.0) */
static const char PNPM_V6[] =
    "lockfileVersion: '6.0'\n"
    "\n"
    "settings:\n"
    "  autoInstallPeers: true\n"
    "  excludeLinksFromLockfile: false\n"
    "\n"
    "dependencies:\n"
    "  alias-lib:\n"
    "    specifier: npm:lk-lib@^2.0.0\n"
    "    version: /lk-lib@2.0.0\n"
    "  lk-app:\n"
    "    specifier: ^1.0.0\n"
    "    version: 1.0.0\n"
    "  lk-peer-host:\n"
    "    specifier: ^18.0.0\n"
    "    version: 18.0.0\n"
    "  lk-peer-user:\n"
    "    specifier: ^1.0.0\n"
    "    version: 1.0.0(lk-peer-host@18.0.0)\n"
    "\n"
    "devDependencies:\n"
    "  lk-dev:\n"
    "    specifier: ^0.5.0\n"
    "    version: 0.5.0\n"
    "\n"
    "packages:\n"
    "\n"
    "  /@lk/scoped@3.1.0:\n"
    "    resolution: {integrity: sha512-XbLIzdkCCMN1NyyjEsJGpIZ/SLqil6g2gxiPt7KBi5SYxqjkfr9pYS3AJVI6dgcaqM3kZvEwmMFIXD+xkqRM2A==}\n"
    "    dev: false\n"
    "\n"
    "  /lk-app@1.0.0:\n"
    "    resolution: {integrity: sha512-rWd2OWeaXmQSBnhyyxCBnBrWZ3kiO+dOX9KUSw7ug91XQ8T5OeGPcknJjL2aF5oxByN5WLKXByWJkewN4t8BZg==}\n"
    "    dependencies:\n"
    "      '@lk/scoped': 3.1.0\n"
    "      lk-lib: 1.0.0\n"
    "    dev: false\n"
    "\n"
    "  /lk-dev@0.5.0:\n"
    "    resolution: {integrity: sha512-uQ1GgSMR2bErackiJDdmugqaQ5lZpYGNXNZULGLqi/Lw84kd10ajkFwftwAmVE+/sEaNdIkIFxgJvZsTccQHLQ==}\n"
    "    dependencies:\n"
    "      lk-lib: 1.0.0\n"
    "    dev: true\n"
    "\n"
    "  /lk-lib@1.0.0:\n"
    "    resolution: {integrity: sha512-u5NWYyiRcEm0CldXkbTnuaPglPujAyX+B5kzrhpvdp1ZxS2wFLz/WJ1LJmTnBwmaY01rKByiO3cQyWZcNSO1Hg==}\n"
    "\n"
    "  /lk-lib@2.0.0:\n"
    "    resolution: {integrity: sha512-oeTxxmirle+WytPtyn0WWTVzyoU2BXB/mkJrH1ieyHNht/PjK9hSYT7imQGnoSstPl3gyMXYvSxyQ++fq+VBKw==}\n"
    "    dev: false\n"
    "\n"
    "  /lk-peer-host@18.0.0:\n"
    "    resolution: {integrity: sha512-lh/BaslmaMtuteOj2Ylb1I1AjlDK/xgzSshFaKw2okyhx94tNdEONysYL3Datvm0v+7u0yu0ZTv2yjvnnbtLGg==}\n"
    "    dev: false\n"
    "\n"
    "  /lk-peer-user@1.0.0(lk-peer-host@18.0.0):\n"
    "    resolution: {integrity: sha512-+sjdXhqsr8J844MWNIo561ZLHc6KRCtuV6piqt0csTsBxoXE2unlRr23FXN9938rzw56BG0azXWMJZ2zQanHcw==}\n"
    "    peerDependencies:\n"
    "      lk-peer-host: ^18.0.0\n"
    "    dependencies:\n"
    "      lk-lib: 2.0.0\n"
    "      lk-peer-host: 18.0.0\n"
    "    dev: false\n";

/* pnpm 9 and pnpm 8, workspaces (importers) with a link: between them */
static const char PNPM_V9_WS[] =
    "lockfileVersion: '9.0'\n"
    "\n"
    "settings:\n"
    "  autoInstallPeers: true\n"
    "  excludeLinksFromLockfile: false\n"
    "\n"
    "importers:\n"
    "\n"
    "  .:\n"
    "    devDependencies:\n"
    "      lk-dev:\n"
    "        specifier: ^0.5.0\n"
    "        version: 0.5.0\n"
    "\n"
    "  packages/a:\n"
    "    dependencies:\n"
    "      b:\n"
    "        specifier: workspace:*\n"
    "        version: link:../b\n"
    "      lk-app:\n"
    "        specifier: ^1.0.0\n"
    "        version: 1.0.0\n"
    "\n"
    "  packages/b:\n"
    "    dependencies:\n"
    "      lk-lib:\n"
    "        specifier: ^2.0.0\n"
    "        version: 2.0.0\n"
    "\n"
    "packages:\n"
    "\n"
    "  '@lk/scoped@3.1.0':\n"
    "    resolution: {integrity: sha512-XbLIzdkCCMN1NyyjEsJGpIZ/SLqil6g2gxiPt7KBi5SYxqjkfr9pYS3AJVI6dgcaqM3kZvEwmMFIXD+xkqRM2A==}\n"
    "\n"
    "  lk-app@1.0.0:\n"
    "    resolution: {integrity: sha512-rWd2OWeaXmQSBnhyyxCBnBrWZ3kiO+dOX9KUSw7ug91XQ8T5OeGPcknJjL2aF5oxByN5WLKXByWJkewN4t8BZg==}\n"
    "\n"
    "  lk-dev@0.5.0:\n"
    "    resolution: {integrity: sha512-uQ1GgSMR2bErackiJDdmugqaQ5lZpYGNXNZULGLqi/Lw84kd10ajkFwftwAmVE+/sEaNdIkIFxgJvZsTccQHLQ==}\n"
    "\n"
    "  lk-lib@1.0.0:\n"
    "    resolution: {integrity: sha512-u5NWYyiRcEm0CldXkbTnuaPglPujAyX+B5kzrhpvdp1ZxS2wFLz/WJ1LJmTnBwmaY01rKByiO3cQyWZcNSO1Hg==}\n"
    "\n"
    "  lk-lib@2.0.0:\n"
    "    resolution: {integrity: sha512-oeTxxmirle+WytPtyn0WWTVzyoU2BXB/mkJrH1ieyHNht/PjK9hSYT7imQGnoSstPl3gyMXYvSxyQ++fq+VBKw==}\n"
    "\n"
    "snapshots:\n"
    "\n"
    "  '@lk/scoped@3.1.0': {}\n"
    "\n"
    "  lk-app@1.0.0:\n"
    "    dependencies:\n"
    "      '@lk/scoped': 3.1.0\n"
    "      lk-lib: 1.0.0\n"
    "\n"
    "  lk-dev@0.5.0:\n"
    "    dependencies:\n"
    "      lk-lib: 1.0.0\n"
    "\n"
    "  lk-lib@1.0.0: {}\n"
    "\n"
    "  lk-lib@2.0.0: {}\n";
static const char PNPM_V6_WS[] =
    "lockfileVersion: '6.0'\n"
    "\n"
    "settings:\n"
    "  autoInstallPeers: true\n"
    "  excludeLinksFromLockfile: false\n"
    "\n"
    "importers:\n"
    "\n"
    "  .:\n"
    "    devDependencies:\n"
    "      lk-dev:\n"
    "        specifier: ^0.5.0\n"
    "        version: 0.5.0\n"
    "\n"
    "  packages/a:\n"
    "    dependencies:\n"
    "      b:\n"
    "        specifier: workspace:*\n"
    "        version: link:../b\n"
    "      lk-app:\n"
    "        specifier: ^1.0.0\n"
    "        version: 1.0.0\n"
    "\n"
    "  packages/b:\n"
    "    dependencies:\n"
    "      lk-lib:\n"
    "        specifier: ^2.0.0\n"
    "        version: 2.0.0\n"
    "\n"
    "packages:\n"
    "\n"
    "  /@lk/scoped@3.1.0:\n"
    "    resolution: {integrity: sha512-XbLIzdkCCMN1NyyjEsJGpIZ/SLqil6g2gxiPt7KBi5SYxqjkfr9pYS3AJVI6dgcaqM3kZvEwmMFIXD+xkqRM2A==}\n"
    "    dev: false\n"
    "\n"
    "  /lk-app@1.0.0:\n"
    "    resolution: {integrity: sha512-rWd2OWeaXmQSBnhyyxCBnBrWZ3kiO+dOX9KUSw7ug91XQ8T5OeGPcknJjL2aF5oxByN5WLKXByWJkewN4t8BZg==}\n"
    "    dependencies:\n"
    "      '@lk/scoped': 3.1.0\n"
    "      lk-lib: 1.0.0\n"
    "    dev: false\n"
    "\n"
    "  /lk-dev@0.5.0:\n"
    "    resolution: {integrity: sha512-uQ1GgSMR2bErackiJDdmugqaQ5lZpYGNXNZULGLqi/Lw84kd10ajkFwftwAmVE+/sEaNdIkIFxgJvZsTccQHLQ==}\n"
    "    dependencies:\n"
    "      lk-lib: 1.0.0\n"
    "    dev: true\n"
    "\n"
    "  /lk-lib@1.0.0:\n"
    "    resolution: {integrity: sha512-u5NWYyiRcEm0CldXkbTnuaPglPujAyX+B5kzrhpvdp1ZxS2wFLz/WJ1LJmTnBwmaY01rKByiO3cQyWZcNSO1Hg==}\n"
    "\n"
    "  /lk-lib@2.0.0:\n"
    "    resolution: {integrity: sha512-oeTxxmirle+WytPtyn0WWTVzyoU2BXB/mkJrH1ieyHNht/PjK9hSYT7imQGnoSstPl3gyMXYvSxyQ++fq+VBKw==}\n"
    "    dev: false\n";

/* a tarball URL dependency (pnpm maps it to the registry's package), link:,
 * file: and (added) git dependencies */
static const char PNPM_V6_EX[] =
    "lockfileVersion: '6.0'\n"
    "\n"
    "settings:\n"
    "  autoInstallPeers: true\n"
    "  excludeLinksFromLockfile: false\n"
    "\n"
    "dependencies:\n"
    "  linked:\n"
    "    specifier: link:./local-dir\n"
    "    version: link:local-dir\n"
    "  lk-git:\n"
    "    specifier: git+ssh://git@127.0.0.1/lk/lk-git.git\n"
    "    version: 127.0.0.1/lk/lk-git/0123456789abcdef0123456789abcdef01234567\n"
    "  lk-peer-user:\n"
    "    specifier: ^1.0.0\n"
    "    version: 1.0.0(lk-peer-host@18.0.0)\n"
    "  lk-tar:\n"
    "    specifier: http://127.0.0.1:4873/lk-lib/-/lk-lib-1.0.0.tgz\n"
    "    version: /lk-lib@1.0.0\n"
    "  local-dir:\n"
    "    specifier: file:./local-dir\n"
    "    version: file:local-dir\n"
    "\n"
    "packages:\n"
    "\n"
    "  /lk-lib@1.0.0:\n"
    "    resolution: {integrity: sha512-u5NWYyiRcEm0CldXkbTnuaPglPujAyX+B5kzrhpvdp1ZxS2wFLz/WJ1LJmTnBwmaY01rKByiO3cQyWZcNSO1Hg==}\n"
    "    dev: false\n"
    "\n"
    "  /lk-lib@2.0.0:\n"
    "    resolution: {integrity: sha512-oeTxxmirle+WytPtyn0WWTVzyoU2BXB/mkJrH1ieyHNht/PjK9hSYT7imQGnoSstPl3gyMXYvSxyQ++fq+VBKw==}\n"
    "    dev: false\n"
    "\n"
    "  /lk-peer-host@18.0.0:\n"
    "    resolution: {integrity: sha512-lh/BaslmaMtuteOj2Ylb1I1AjlDK/xgzSshFaKw2okyhx94tNdEONysYL3Datvm0v+7u0yu0ZTv2yjvnnbtLGg==}\n"
    "    dev: false\n"
    "\n"
    "  /lk-peer-user@1.0.0(lk-peer-host@18.0.0):\n"
    "    resolution: {integrity: sha512-+sjdXhqsr8J844MWNIo561ZLHc6KRCtuV6piqt0csTsBxoXE2unlRr23FXN9938rzw56BG0azXWMJZ2zQanHcw==}\n"
    "    peerDependencies:\n"
    "      lk-peer-host: ^18.0.0\n"
    "    dependencies:\n"
    "      lk-lib: 2.0.0\n"
    "      lk-peer-host: 18.0.0\n"
    "    dev: false\n"
    "\n"
    "  127.0.0.1/lk/lk-git/0123456789abcdef0123456789abcdef01234567:\n"
    "    resolution: {tarball: http://127.0.0.1:4873/lk/lk-git/tar.gz/0123456789abcdef0123456789abcdef01234567}\n"
    "    name: lk-git\n"
    "    version: 1.0.0\n"
    "    dev: false\n"
    "\n"
    "  file:local-dir:\n"
    "    resolution: {directory: local-dir, type: directory}\n"
    "    name: local-dir\n"
    "    dev: false\n";
static const char PNPM_V9_EX[] =
    "lockfileVersion: '9.0'\n"
    "\n"
    "settings:\n"
    "  autoInstallPeers: true\n"
    "  excludeLinksFromLockfile: false\n"
    "\n"
    "importers:\n"
    "\n"
    "  .:\n"
    "    dependencies:\n"
    "      linked:\n"
    "        specifier: link:./local-dir\n"
    "        version: link:local-dir\n"
    "      lk-git:\n"
    "        specifier: git+ssh://git@127.0.0.1/lk/lk-git.git\n"
    "        version: git+ssh://git@127.0.0.1/lk/lk-git.git#0123456789abcdef0123456789abcdef01234567\n"
    "      lk-peer-user:\n"
    "        specifier: ^1.0.0\n"
    "        version: 1.0.0(lk-peer-host@18.0.0)\n"
    "      lk-tar:\n"
    "        specifier: http://127.0.0.1:4873/lk-lib/-/lk-lib-1.0.0.tgz\n"
    "        version: lk-lib@1.0.0\n"
    "      local-dir:\n"
    "        specifier: file:./local-dir\n"
    "        version: file:local-dir\n"
    "\n"
    "packages:\n"
    "\n"
    "  lk-git@git+ssh://git@127.0.0.1/lk/lk-git.git#0123456789abcdef0123456789abcdef01234567:\n"
    "    resolution: {commit: 0123456789abcdef0123456789abcdef01234567, repo: git+ssh://git@127.0.0.1/lk/lk-git.git, type: git}\n"
    "    version: 1.0.0\n"
    "\n"
    "  lk-lib@1.0.0:\n"
    "    resolution: {integrity: sha512-u5NWYyiRcEm0CldXkbTnuaPglPujAyX+B5kzrhpvdp1ZxS2wFLz/WJ1LJmTnBwmaY01rKByiO3cQyWZcNSO1Hg==}\n"
    "\n"
    "  lk-lib@2.0.0:\n"
    "    resolution: {integrity: sha512-oeTxxmirle+WytPtyn0WWTVzyoU2BXB/mkJrH1ieyHNht/PjK9hSYT7imQGnoSstPl3gyMXYvSxyQ++fq+VBKw==}\n"
    "\n"
    "  lk-peer-host@18.0.0:\n"
    "    resolution: {integrity: sha512-lh/BaslmaMtuteOj2Ylb1I1AjlDK/xgzSshFaKw2okyhx94tNdEONysYL3Datvm0v+7u0yu0ZTv2yjvnnbtLGg==}\n"
    "\n"
    "  lk-peer-user@1.0.0:\n"
    "    resolution: {integrity: sha512-+sjdXhqsr8J844MWNIo561ZLHc6KRCtuV6piqt0csTsBxoXE2unlRr23FXN9938rzw56BG0azXWMJZ2zQanHcw==}\n"
    "    peerDependencies:\n"
    "      lk-peer-host: ^18.0.0\n"
    "\n"
    "  local-dir@file:local-dir:\n"
    "    resolution: {directory: local-dir, type: directory}\n"
    "\n"
    "snapshots:\n"
    "\n"
    "  lk-git@git+ssh://git@127.0.0.1/lk/lk-git.git#0123456789abcdef0123456789abcdef01234567: {}\n"
    "\n"
    "  lk-lib@1.0.0: {}\n"
    "\n"
    "  lk-lib@2.0.0: {}\n"
    "\n"
    "  lk-peer-host@18.0.0: {}\n"
    "\n"
    "  lk-peer-user@1.0.0(lk-peer-host@18.0.0):\n"
    "    dependencies:\n"
    "      lk-lib: 2.0.0\n"
    "      lk-peer-host: 18.0.0\n"
    "\n"
    "  local-dir@file:local-dir: {}\n";

/* ---- helpers ---- */

static lockfile_t LF;
static char ERR[512];

/* parses a private copy of exactly len bytes (so that ASan sees any read
 * past the end); on failure the list must be empty */
static int parse_n(const char *text, size_t len, lock_format_t f)
{
    lockfile_free(&LF);
    ERR[0] = '\0';
    char *copy = malloc(len ? len : 1);
    memcpy(copy, text, len);
    int rc = lockfile_parse(copy, len, f, &LF, ERR, sizeof(ERR));
    free(copy);
    if (rc != 0) {
        CHECK_INT_EQ(LF.n, 0);
        CHECK(LF.entries == NULL);
        CHECK(ERR[0] != '\0');
    }
    return rc;
}

static int parse(const char *text, lock_format_t f) { return parse_n(text, strlen(text), f); }

static const lock_entry_t *find(const char *pkg, const char *ver)
{
    for (size_t i = 0; i < LF.n; i++)
        if (LF.entries[i].eco == ECO_NPM && !strcmp(LF.entries[i].package, pkg) && !strcmp(LF.entries[i].version, ver))
            return &LF.entries[i];
    return NULL;
}

#define CHECK_ENTRY(pkg, ver, integ, res, dir, dv, ln)                                                                 \
    do {                                                                                                               \
        const lock_entry_t *e_ = find(pkg, ver);                                                                       \
        CHECK(e_ != NULL);                                                                                             \
        if (e_ == NULL) {                                                                                              \
            fprintf(stderr, "    missing %s@%s\n", pkg, ver);                                                          \
            break;                                                                                                     \
        }                                                                                                              \
        CHECK_STR_EQ(e_->integrity, integ);                                                                            \
        CHECK_STR_EQ(e_->resolved, res);                                                                               \
        CHECK_INT_EQ(e_->direct, dir);                                                                                 \
        CHECK_INT_EQ(e_->dev, dv);                                                                                     \
        CHECK_INT_EQ(e_->line, ln);                                                                                    \
    } while (0)

/* the parse fails with a message containing want, starting "LINE:" when line > 0 */
static int fails_with(const char *text, size_t len, lock_format_t f, const char *want, int line)
{
    if (parse_n(text, len, f) == 0) {
        fprintf(stderr, "    parsed (%zu entries), but expected an error with '%s'\n", LF.n, want);
        return 0;
    }
    if (strstr(ERR, want) == NULL) {
        fprintf(stderr, "    error '%s' lacks '%s'\n", ERR, want);
        return 0;
    }
    char pre[16];
    snprintf(pre, sizeof(pre), "%d:", line);
    if (line > 0 && strncmp(ERR, pre, strlen(pre)) != 0) {
        fprintf(stderr, "    error '%s' is not on line %d\n", ERR, line);
        return 0;
    }
    return 1;
}
#define CHECK_FAILS(text, f, want, line) CHECK(fails_with(text, strlen(text), f, want, line))

/* text with the first `from` replaced by `to` (which must be there) */
static char *edit(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    CHECK(at != NULL);
    if (at == NULL)
        return strdup(text);
    size_t a = (size_t)(at - text), fl = strlen(from), tl = strlen(to), n = strlen(text);
    char *out = malloc(n - fl + tl + 1);
    memcpy(out, text, a);
    memcpy(out + a, to, tl);
    memcpy(out + a + tl, at + fl, n - a - fl + 1);
    return out;
}

static char *with_crlf(const char *text)
{
    buf_t b;
    buf_init(&b);
    for (const char *p = text; *p; p++) {
        if (*p == '\n')
            buf_putc(&b, '\r');
        buf_putc(&b, *p);
    }
    return buf_steal(&b, NULL);
}

/* the length of the first `lines` lines */
static size_t lines_len(const char *text, int lines)
{
    const char *p = text;
    for (int i = 0; i < lines && *p; i++) {
        const char *nl = strchr(p, '\n');
        p = nl ? nl + 1 : p + strlen(p);
    }
    return (size_t)(p - text);
}

static int count_lines(const char *text)
{
    int n = 0;
    for (const char *p = text; (p = strchr(p, '\n')) != NULL; p++)
        n++;
    return n;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ---- npm ---- */

static void check_npm_v3(void)
{
    CHECK_INT_EQ(LF.format, LOCK_NPM);
    CHECK_INT_EQ(LF.n, 9);
    CHECK_ENTRY("@lk/scoped", "3.1.0", I_SCOPED, REG "@lk/scoped/-/scoped-3.1.0.tgz", 0, 0, 26);
    /* nested under lk-app, dev, sha1 SRI kept as given */
    CHECK_ENTRY("@lk/scoped", "2.0.0", I_SHA1_SCOPED2, REG "@lk/scoped/-/scoped-2.0.0.tgz", 0, 1, 89);
    CHECK_ENTRY("lk-app", "1.0.0", I_APP, REG "lk-app/-/lk-app-1.0.0.tgz", 1, 0, 39);
    CHECK_ENTRY("lk-dev", "0.5.0", I_DEV, REG "lk-dev/-/lk-dev-0.5.0.tgz", 1, 1, 49);
    CHECK_ENTRY("lk-lib", "1.0.0", I_LIB1, REG "lk-lib/-/lk-lib-1.0.0.tgz", 0, 0, 59);
    /* node_modules/alias-lib ("name": "lk-lib") and lk-peer-user's nested copy: one pin, direct via the alias */
    CHECK_ENTRY("lk-lib", "2.0.0", I_LIB2, REG "lk-lib/-/lk-lib-2.0.0.tgz", 1, 0, 32);
    /* optionalDependencies of the root, devOptional, two hashes */
    CHECK_ENTRY("lk-opt", "1.0.1", I_LIB1 " sha1-K3wH7jxm8ShZzXsexpHWr3xZkMw=", REG "lk-opt/-/lk-opt-1.0.1.tgz", 1, 1,
                95);
    CHECK_ENTRY("lk-peer-host", "18.0.0", I_HOST, REG "lk-peer-host/-/lk-peer-host-18.0.0.tgz", 1, 0, 65);
    CHECK_ENTRY("lk-peer-user", "1.0.0", I_USER, REG "lk-peer-user/-/lk-peer-user-1.0.0.tgz", 1, 0, 71);
    /* not packages: the alias name, the root, the workspace and its link */
    CHECK(find("alias-lib", "2.0.0") == NULL);
    CHECK(find("proj", "1.0.0") == NULL);
    CHECK(find("ws", "0.1.0") == NULL);
}

TEST(npm_v3)
{
    CHECK_INT_EQ(lockfile_detect(NPM_V3, strlen(NPM_V3)), LOCK_NPM);
    CHECK_INT_EQ(parse(NPM_V3, LOCK_AUTO), 0);
    check_npm_v3();
    /* sorted by package then version */
    for (size_t i = 1; i < LF.n; i++) {
        int c = strcmp(LF.entries[i - 1].package, LF.entries[i].package);
        CHECK(c < 0 || (c == 0 && strcmp(LF.entries[i - 1].version, LF.entries[i].version) < 0));
    }
}

TEST(npm_crlf_bom)
{
    char *crlf = with_crlf(NPM_V3);
    CHECK_INT_EQ(parse(crlf, LOCK_AUTO), 0);
    check_npm_v3();
    free(crlf);
    size_t n = strlen(NPM_V3);
    char *bom = malloc(n + 4);
    memcpy(bom, "\xEF\xBB\xBF", 3);
    memcpy(bom + 3, NPM_V3, n + 1);
    CHECK_INT_EQ(parse(bom, LOCK_NPM), 0);
    check_npm_v3();
    free(bom);
}

TEST(npm_v1)
{
    CHECK_INT_EQ(parse(NPM_V1, LOCK_AUTO), 0);
    CHECK_INT_EQ(LF.n, 8);
    /* v1 names no root: every top-level entry counts as direct */
    CHECK_ENTRY("@lk/scoped", "3.1.0", I_SCOPED, REG "@lk/scoped/-/scoped-3.1.0.tgz", 1, 0, 7);
    CHECK_ENTRY("@lk/scoped", "2.0.0", I_SHA1_SCOPED2, REG "@lk/scoped/-/scoped-2.0.0.tgz", 0, 1, 35);
    /* "alias-lib": {"version": "npm:lk-lib@2.0.0"}, and lk-peer-user's nested lk-lib */
    CHECK_ENTRY("lk-lib", "2.0.0", I_LIB2, REG "lk-lib/-/lk-lib-2.0.0.tgz", 1, 0, 12);
    CHECK_ENTRY("lk-lib", "1.0.0", I_LIB1, REG "lk-lib/-/lk-lib-1.0.0.tgz", 1, 0, 43);
    CHECK_ENTRY("lk-dev", "0.5.0", I_DEV, REG "lk-dev/-/lk-dev-0.5.0.tgz", 1, 1, 26);
    CHECK_ENTRY("lk-peer-user", "1.0.0", I_USER, REG "lk-peer-user/-/lk-peer-user-1.0.0.tgz", 1, 0, 53);
    /* file: and git versions are no registry pins */
    for (size_t i = 0; i < LF.n; i++) {
        CHECK(strcmp(LF.entries[i].package, "lk-local") != 0);
        CHECK(strcmp(LF.entries[i].package, "lk-git") != 0);
    }
}

TEST(npm_v2)
{
    CHECK_INT_EQ(parse(NPM_V2, LOCK_AUTO), 0);
    CHECK_INT_EQ(LF.n, 1);
    CHECK_ENTRY("lk-lib", "1.0.0", I_LIB1, REG "lk-lib/-/lk-lib-1.0.0.tgz", 1, 0, 14);
    CHECK(find("lk-only-in-v1-copy", "9.9.9") == NULL);
    /* lockfileVersion last, the v1 copy first: still "packages" */
    static const char LATE[] =
        "{\"dependencies\": {\"a\": {\"version\": \"1.0.0\"}, \"b\": {\"version\": \"2.0.0\"}},\n"
        " \"packages\": {\"\": {\"dependencies\": {\"a\": \"^1.0.0\"}},\n"
        "  \"node_modules/a\": {\"version\": \"1.0.0\"}},\n"
        " \"lockfileVersion\": 2}\n";
    CHECK_INT_EQ(parse(LATE, LOCK_NPM), 0);
    CHECK_INT_EQ(LF.n, 1);
    CHECK_ENTRY("a", "1.0.0", "", "", 1, 0, 3);
    /* a v2 file with only the v1 tree */
    static const char ONLY_V1[] = "{\"lockfileVersion\": 2, \"dependencies\": {\"a\": {\"version\": \"1.0.0\"}}}";
    CHECK_INT_EQ(parse(ONLY_V1, LOCK_NPM), 0);
    CHECK_INT_EQ(LF.n, 1);
    CHECK_ENTRY("a", "1.0.0", "", "", 1, 0, 1);
}

TEST(npm_workspaces)
{
    CHECK_INT_EQ(parse(NPM_WS, LOCK_AUTO), 0);
    CHECK_INT_EQ(LF.n, 5);
    CHECK_ENTRY("lk-app", "1.0.0", I_APP, "", 1, 0, 30);  /* packages/a's, hoisted */
    CHECK_ENTRY("lk-lib", "2.0.0", I_LIB2, "", 1, 0, 66); /* packages/b's, under packages/b */
    CHECK_ENTRY("lk-lib", "1.0.0", I_LIB1, "", 0, 0, 48); /* lk-app's: not direct */
    CHECK_ENTRY("lk-dev", "0.5.0", I_DEV, "", 1, 1, 39);  /* the root's devDependencies */
    CHECK_ENTRY("@lk/scoped", "3.1.0", I_SCOPED, "", 0, 0, 17);
    CHECK(find("a", "1.0.0") == NULL);
    CHECK(find("b", "1.0.0") == NULL);
}

TEST(npm_truncated)
{
    /* every cut before the closing brace fails */
    size_t end = (size_t)(strrchr(NPM_V3, '}') - NPM_V3);
    int accepted = 0;
    for (size_t n = 0; n <= end; n++) {
        lockfile_free(&LF);
        char *copy = malloc(n ? n : 1);
        memcpy(copy, NPM_V3, n);
        if (lockfile_parse(copy, n, LOCK_NPM, &LF, ERR, sizeof(ERR)) == 0)
            accepted++;
        else
            CHECK(LF.n == 0);
        free(copy);
    }
    CHECK_INT_EQ(accepted, 0);
    CHECK(fails_with(NPM_V3, strlen(NPM_V3) / 2, LOCK_NPM,
                     "package-lock.json: the file ends in the middle of the JSON (truncated?)", 0));
    /* the error is at the end of what there is: within line 40 */
    CHECK(fails_with(NPM_V3, lines_len(NPM_V3, 39) + 10, LOCK_NPM, "40:11: package-lock.json: the file ends", 40));
    CHECK_FAILS(" \n", LOCK_NPM, "empty", 0);
    CHECK_FAILS("", LOCK_NPM, "empty", 0);
}

TEST(npm_errors)
{
    static const char NO_VERSION[] = "{\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"\": {},\n"
                                     "    \"node_modules/foo\": {\n      \"resolved\": \"" REG "foo/-/foo-1.0.0.tgz\"\n"
                                     "    }\n  }\n}\n";
    CHECK_FAILS(NO_VERSION, LOCK_AUTO, "package-lock.json: 'packages' entry node_modules/foo has no version", 5);
    static const char V1_NO_VERSION[] = "{\"lockfileVersion\": 1, \"dependencies\": {\"a\": {\"version\": \"1.0.0\",\n"
                                        "  \"dependencies\": {\"b\": {\"resolved\": \"x\"}}}}}\n";
    CHECK_FAILS(V1_NO_VERSION, LOCK_AUTO, "'dependencies' entry a > b has no version", 2);

    char *t = edit(NPM_V3, I_APP, "sha512-!!!");
    CHECK_FAILS(t, LOCK_AUTO, "lk-app@1.0.0: malformed integrity 'sha512-!!!'", 39);
    free(t);
    t = edit(NPM_V3, "\"lockfileVersion\": 3", "\"lockfileVersion\": 4");
    CHECK_FAILS(t, LOCK_AUTO, "unknown lockfileVersion 4", 4);
    free(t);
    t = edit(NPM_V3, "\"lockfileVersion\": 3", "\"lockfileVersion\": \"3\"");
    CHECK_FAILS(t, LOCK_AUTO, "unknown lockfileVersion \"3\"", 4);
    free(t);
    CHECK_FAILS("{\"packages\": {}}", LOCK_NPM, "no lockfileVersion", 0);
    CHECK_FAILS("{\"lockfileVersion\": 3}", LOCK_NPM, "lockfileVersion 3 but no \"packages\" object", 0);
    CHECK_FAILS("[1, 2]", LOCK_NPM, "not a JSON object", 1);
    CHECK_FAILS(
        "{\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"node_modules/a\": {\"version\": \"1.0.0\",}\n  }\n}\n",
        LOCK_NPM, "invalid JSON", 4);
    char *garbage = malloc(strlen(NPM_V3) + 3);
    strcpy(garbage, NPM_V3);
    strcat(garbage, "{}");
    CHECK_FAILS(garbage, LOCK_NPM, "invalid JSON", count_lines(NPM_V3) + 1);
    free(garbage);
    CHECK_FAILS("{\"lockfileVersion\": 3, \"packages\": {\"node_modules/a\": {\"version\": 1}}}", LOCK_NPM,
                "'packages' entry node_modules/a: \"version\" is a number, not a string", 1);
    CHECK_FAILS(
        "{\"lockfileVersion\": 3, \"packages\": {\"node_modules/a\": {\"version\": \"1.0.0\", \"dev\": \"yes\"}}}",
        LOCK_NPM, "\"dev\" is a string, not a boolean", 1);
    CHECK_FAILS("{\"lockfileVersion\": 3, \"packages\": {\"node_modules/a\": \"1.0.0\"}}", LOCK_NPM,
                "'packages' entry node_modules/a is a string, not an object", 1);
    CHECK_FAILS("{\"lockfileVersion\": 3, \"packages\": []}", LOCK_NPM, "\"packages\" is an array, not an object", 1);
    CHECK_FAILS("{\"lockfileVersion\": 3, \"packages\": {\"node_modules/\": {\"version\": \"1.0.0\"}}}", LOCK_NPM,
                "names no package", 1);
    CHECK_FAILS("{\"lockfileVersion\": 3, \"packages\": {\"node_modules/a\": {\"version\": \"1.0.0 beta\"}}}", LOCK_NPM,
                "no usable version", 1);
    CHECK_FAILS("{\"lockfileVersion\": 3, \"packages\": {\"node_modules/a\\u0000b\": {\"version\": \"1.0.0\"}}}",
                LOCK_NPM, "NUL", 1);
    /* one pin, two different hashes */
    static const char CONFLICT[] =
        "{\"lockfileVersion\": 3, \"packages\": {\n"
        "\"node_modules/a\": {\"version\": \"1.0.0\"},\n"
        "\"node_modules/b\": {\"version\": \"1.0.0\"},\n"
        "\"node_modules/a/node_modules/x\": {\"version\": \"1.0.0\", \"integrity\": \"" I_LIB1 "\"},\n"
        "\"node_modules/b/node_modules/x\": {\"version\": \"1.0.0\", \"integrity\": \"" I_LIB2 "\"}\n"
        "}}\n";
    CHECK_FAILS(CONFLICT, LOCK_NPM, "x@1.0.0 appears twice with different integrity (line 4 and 5)", 5);
    /* the same pin twice with the same hash is one entry */
    t = edit(CONFLICT, I_LIB2, I_LIB1);
    CHECK_INT_EQ(parse(t, LOCK_NPM), 0);
    CHECK_INT_EQ(LF.n, 3);
    free(t);
}

/* ---- yarn ---- */

static void check_yarn_classic(void)
{
    CHECK_INT_EQ(LF.format, LOCK_YARN);
    CHECK_INT_EQ(LF.n, 9);
    /* the #sha1 fragment is dropped from resolved when an integrity line is there */
    CHECK_ENTRY("@lk/scoped", "3.1.0", I_SCOPED, REG "@lk/scoped/-/scoped-3.1.0.tgz", 0, 0, 5);
    /* "alias-lib@npm:lk-lib@^2.0.0" */
    CHECK_ENTRY("lk-lib", "2.0.0", I_LIB2, REG "lk-lib/-/lk-lib-2.0.0.tgz", 0, 0, 10);
    CHECK_ENTRY("lk-app", "1.0.0", I_APP, REG "lk-app/-/lk-app-1.0.0.tgz", 0, 0, 15);
    /* "lk-lib@^1.0.0, lk-lib@~1.0.0:" */
    CHECK_ENTRY("lk-lib", "1.0.0", I_LIB1, REG "lk-lib/-/lk-lib-1.0.0.tgz", 0, 0, 34);
    /* a git commit is not a hash: no integrity, the fragment stays in resolved */
    CHECK_ENTRY("lk-git", "1.0.0", "", "git+ssh://git@127.0.0.1/lk/lk-git.git#" GIT_COMMIT, 0, 0, 30);
    /* no integrity line: the fragment (upper case here) as "sha1:<hex>" */
    CHECK_ENTRY("lk-old", "0.1.2", "sha1:2b7c07ee3c66f12859cd7b1ec691d6af7c5990cc", REG "lk-old/-/lk-old-0.1.2.tgz", 0,
                0, 47);
    CHECK_ENTRY("lk-peer-user", "1.0.0", I_USER, REG "lk-peer-user/-/lk-peer-user-1.0.0.tgz", 0, 0, 56);
    CHECK(find("lk-local", "0.0.1") == NULL); /* file: */
    CHECK(find("alias-lib", "2.0.0") == NULL);
}

TEST(yarn_classic)
{
    CHECK_INT_EQ(lockfile_detect(YARN_CLASSIC, strlen(YARN_CLASSIC)), LOCK_YARN);
    CHECK_INT_EQ(parse(YARN_CLASSIC, LOCK_AUTO), 0);
    check_yarn_classic();
    char *crlf = with_crlf(YARN_CLASSIC);
    CHECK_INT_EQ(parse(crlf, LOCK_AUTO), 0);
    check_yarn_classic();
    free(crlf);
}

static void check_yarn_berry(void)
{
    CHECK_INT_EQ(LF.format, LOCK_YARN);
    CHECK_INT_EQ(LF.n, 9);
    /* checksum is yarn's zip cache hash: never an integrity; no URL for registry packages */
    CHECK_ENTRY("@lk/scoped", "3.1.0", "", "", 0, 0, 8);
    CHECK_ENTRY("lk-lib", "2.0.0", "", "", 0, 0, 15); /* "alias-lib@npm:lk-lib@^2.0.0, lk-lib@npm:^2.0.0" */
    CHECK_ENTRY("lk-app", "1.0.0", "", "", 0, 0, 22);
    /* the plain entry and the patch: of it pin the same version */
    CHECK_ENTRY("lk-lib", "1.0.0", "", "", 0, 0, 41);
    CHECK_ENTRY("lk-far", "1.2.0", "", REG "lk-far/-/lk-far-1.2.0.tgz", 0, 0, 54);
    CHECK_ENTRY("lk-git", "1.0.0", "", "git+ssh://git@127.0.0.1/lk/lk-git.git#commit=" GIT_COMMIT, 0, 0, 61);
    CHECK_ENTRY("lk-peer-user", "1.0.0", "", "", 0, 0, 88);
    /* workspace:, portal:, a patch: of a workspace */
    for (size_t i = 0; i < LF.n; i++) {
        CHECK(strcmp(LF.entries[i].package, "proj") != 0);
        CHECK(strcmp(LF.entries[i].package, "lk-local") != 0);
        CHECK(strcmp(LF.entries[i].package, "lk-patched-ws") != 0);
        CHECK(strcmp(LF.entries[i].package, "lk-ws") != 0);
    }
}

TEST(yarn_berry)
{
    CHECK_INT_EQ(lockfile_detect(YARN_BERRY, strlen(YARN_BERRY)), LOCK_YARN);
    CHECK_INT_EQ(parse(YARN_BERRY, LOCK_AUTO), 0);
    check_yarn_berry();
    char *crlf = with_crlf(YARN_BERRY);
    CHECK_INT_EQ(parse(crlf, LOCK_AUTO), 0);
    check_yarn_berry();
    free(crlf);
}

TEST(yarn_truncated)
{
    /* berry: every cut at a line end fails (an unfinished entry has no
     * linkType; before the root workspace's entry, that entry is missing) */
    int lines = count_lines(YARN_BERRY), accepted = 0;
    for (int k = 0; k < lines; k++)
        if (parse_n(YARN_BERRY, lines_len(YARN_BERRY, k), LOCK_YARN) == 0)
            accepted++;
    CHECK_INT_EQ(accepted, 0);
    size_t cut = (size_t)(strstr(YARN_BERRY, "\"proj@workspace:.\"") - YARN_BERRY);
    CHECK(fails_with(YARN_BERRY, cut, LOCK_YARN, "no entry for the root workspace", 0));
    CHECK(fails_with(YARN_BERRY, lines_len(YARN_BERRY, 11), LOCK_YARN,
                     "\"@lk/scoped@npm:^3.0.0\" has no linkType (truncated?)", 8));
    /* classic: lk-app depends on lk-lib@^1.0.0, which would come later */
    cut = (size_t)(strstr(YARN_CLASSIC, "lk-dev@^0.5.0:") - YARN_CLASSIC);
    CHECK(fails_with(YARN_CLASSIC, cut, LOCK_YARN,
                     "the dependency lk-lib@^1.0.0 has no entry, and the entries stop before it (truncated?)", 21));
    /* an entry cut after its version */
    CHECK(fails_with(YARN_CLASSIC, lines_len(YARN_CLASSIC, 6), LOCK_YARN,
                     "\"@lk/scoped@^3.0.0\" has no resolved URL (truncated?)", 5));
    /* cut inside a line: yarn always ends the file with a newline */
    CHECK(fails_with(YARN_CLASSIC, strlen(YARN_CLASSIC) - 1, LOCK_YARN, "the last line has no line end",
                     count_lines(YARN_CLASSIC)));
    CHECK(fails_with(YARN_BERRY, strlen(YARN_BERRY) - 5, LOCK_YARN, "looks truncated", count_lines(YARN_BERRY)));
}

TEST(yarn_errors)
{
    CHECK_FAILS("# yarn lockfile v1\n\n\nfoo@^1.0.0:\n  resolved \"" REG "foo/-/foo-1.0.0.tgz\"\n", LOCK_YARN,
                "yarn.lock: entry \"foo@^1.0.0\" has no version", 4);
    CHECK_FAILS("# yarn lockfile v1\n\n\"foo@^1.0.0:\n  version \"1.0.0\"\n", LOCK_YARN,
                "a quoted string is not closed", 3);
    CHECK_FAILS("# yarn lockfile v1\n\nfoo@^1.0.0:\n  version \"1.0.0\n", LOCK_YARN,
                "4:11: yarn.lock: a quoted string is not closed", 4);
    CHECK_FAILS("# yarn lockfile v1\n\n  version \"1.0.0\"\n", LOCK_YARN, "an indented line outside any entry", 3);
    CHECK_FAILS("# yarn lockfile v1\n\nfoo@^1.0.0\n  version \"1.0.0\"\n", LOCK_YARN,
                "expected an entry header ending in ':'", 3);
    CHECK_FAILS("# yarn lockfile v1\n\nfoo:\n  version \"1.0.0\"\n", LOCK_YARN,
                "entry header \"foo\" is not NAME@RANGE", 3);
    CHECK_FAILS("# yarn lockfile v1\n\nfoo@1:\n\tversion \"1.0.0\"\n", LOCK_YARN, "a tab in the indentation", 4);
    CHECK_FAILS("# yarn lockfile v1\n\nfoo@1:\n   version \"1.0.0\"\n", LOCK_YARN, "unexpected indentation (3 spaces)",
                4);
    CHECK_FAILS("# yarn lockfile v1\n\nfoo@1, :\n  version \"1.0.0\"\n", LOCK_YARN, "an empty specifier", 3);
    char *t = edit(YARN_CLASSIC, I_APP, "sha512-!!!");
    CHECK_FAILS(t, LOCK_AUTO, "lk-app@1.0.0: malformed integrity 'sha512-!!!'", 15);
    free(t);
    /* two entries, one pin, different hashes */
    t = edit(YARN_CLASSIC, "lk-lib-2.0.0.tgz#b376f0e71bfd2a5b10b2d5ca651bfd54a80f5a0a\"\n  integrity " I_LIB2,
             "lk-lib-2.0.0.tgz#b376f0e71bfd2a5b10b2d5ca651bfd54a80f5a0a\"\n  integrity " I_LIB1);
    CHECK_FAILS(t, LOCK_AUTO, "lk-lib@2.0.0 appears twice with different integrity", 0);
    free(t);
    t = edit(YARN_BERRY, "  version: 8\n", "  version: 99\n");
    CHECK_FAILS(t, LOCK_AUTO, "unknown lockfile version 99 in __metadata", 5);
    free(t);
    t = edit(YARN_BERRY, "  version: 8\n", "");
    CHECK_FAILS(t, LOCK_AUTO, "__metadata has no version", 0);
    free(t);
    t = edit(YARN_BERRY, "  resolution: \"lk-app@npm:1.0.0\"\n", "");
    CHECK_FAILS(t, LOCK_AUTO, "entry \"lk-app@npm:^1.0.0\" has no resolution", 22);
    free(t);
    t = edit(YARN_BERRY, "  resolution: \"lk-app@npm:1.0.0\"\n", "  resolution: \"lk-app\"\n");
    CHECK_FAILS(t, LOCK_AUTO, "resolution \"lk-app\" is not NAME@PROTOCOL:", 22);
    free(t);
    t = edit(YARN_BERRY, "  resolution: \"lk-app@npm:1.0.0\"\n", "  resolution \"lk-app@npm:1.0.0\"\n");
    CHECK_FAILS(t, LOCK_AUTO, "24:3: yarn.lock: expected 'key: value'", 24);
    free(t);
    CHECK_FAILS("", LOCK_YARN, "not a yarn.lock", 0);
    CHECK_FAILS("# This file is generated by running \"yarn install\" inside your project.\n", LOCK_YARN,
                "not a yarn.lock", 0);
    /* a project without dependencies */
    CHECK_INT_EQ(
        parse("# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.\n# yarn lockfile v1\n\n\n", LOCK_AUTO),
        0);
    CHECK_INT_EQ(LF.n, 0);
}

/* ---- pnpm ---- */

static void check_pnpm_v9(void)
{
    CHECK_INT_EQ(LF.format, LOCK_PNPM);
    CHECK_INT_EQ(LF.n, 7);
    CHECK_ENTRY("@lk/scoped", "3.1.0", I_SCOPED, "", 0, 0, 30);
    CHECK_ENTRY("lk-app", "1.0.0", I_APP, "", 1, 0, 33);
    CHECK_ENTRY("lk-dev", "0.5.0", I_DEV, "", 1, 1, 36); /* only in devDependencies */
    CHECK_ENTRY("lk-lib", "1.0.0", I_LIB1, "", 0, 0, 39);
    CHECK_ENTRY("lk-lib", "2.0.0", I_LIB2, "", 1, 0, 42); /* alias-lib: lk-lib@2.0.0 */
    CHECK_ENTRY("lk-peer-host", "18.0.0", I_HOST, "", 1, 0, 45);
    CHECK_ENTRY("lk-peer-user", "1.0.0", I_USER, "", 1, 0, 48); /* 1.0.0(lk-peer-host@18.0.0) */
}

TEST(pnpm_v9)
{
    CHECK_INT_EQ(lockfile_detect(PNPM_V9, strlen(PNPM_V9)), LOCK_PNPM);
    CHECK_INT_EQ(parse(PNPM_V9, LOCK_AUTO), 0);
    check_pnpm_v9();
    char *crlf = with_crlf(PNPM_V9);
    CHECK_INT_EQ(parse(crlf, LOCK_AUTO), 0);
    check_pnpm_v9();
    free(crlf);
}

TEST(pnpm_v6)
{
    CHECK_INT_EQ(lockfile_detect(PNPM_V6, strlen(PNPM_V6)), LOCK_PNPM);
    CHECK_INT_EQ(parse(PNPM_V6, LOCK_AUTO), 0);
    CHECK_INT_EQ(LF.n, 7);
    CHECK_ENTRY("@lk/scoped", "3.1.0", I_SCOPED, "", 0, 0, 28); /* /@lk/scoped@3.1.0, dev: false */
    CHECK_ENTRY("lk-app", "1.0.0", I_APP, "", 1, 0, 32);
    CHECK_ENTRY("lk-dev", "0.5.0", I_DEV, "", 1, 1, 39);  /* dev: true */
    CHECK_ENTRY("lk-lib", "1.0.0", I_LIB1, "", 0, 0, 45); /* no dev field: both */
    CHECK_ENTRY("lk-lib", "2.0.0", I_LIB2, "", 1, 0, 48); /* alias-lib: /lk-lib@2.0.0 */
    CHECK_ENTRY("lk-peer-host", "18.0.0", I_HOST, "", 1, 0, 52);
    CHECK_ENTRY("lk-peer-user", "1.0.0", I_USER, "", 1, 0, 56); /* /lk-peer-user@1.0.0(lk-peer-host@18.0.0) */
    char *crlf = with_crlf(PNPM_V6);
    CHECK_INT_EQ(parse(crlf, LOCK_AUTO), 0);
    CHECK_INT_EQ(LF.n, 7);
    CHECK_ENTRY("lk-dev", "0.5.0", I_DEV, "", 1, 1, 39);
    free(crlf);
}

TEST(pnpm_workspaces)
{
    const char *const docs[] = {PNPM_V9_WS, PNPM_V6_WS};
    const int lines[][5] = {{32, 35, 38, 41, 44}, {32, 36, 43, 49, 52}};
    for (int d = 0; d < 2; d++) {
        CHECK_INT_EQ(parse(docs[d], LOCK_AUTO), 0);
        CHECK_INT_EQ(LF.n, 5);
        CHECK_ENTRY("@lk/scoped", "3.1.0", I_SCOPED, "", 0, 0, lines[d][0]);
        CHECK_ENTRY("lk-app", "1.0.0", I_APP, "", 1, 0, lines[d][1]); /* packages/a */
        CHECK_ENTRY("lk-dev", "0.5.0", I_DEV, "", 1, 1, lines[d][2]); /* .'s devDependencies */
        CHECK_ENTRY("lk-lib", "1.0.0", I_LIB1, "", 0, 0, lines[d][3]);
        CHECK_ENTRY("lk-lib", "2.0.0", I_LIB2, "", 1, 0, lines[d][4]); /* packages/b */
    }
}

TEST(pnpm_git_tarball_local)
{
    CHECK_INT_EQ(parse(PNPM_V6_EX, LOCK_AUTO), 0);
    CHECK_INT_EQ(LF.n, 5);
    /* a tarball URL of the registry's own package: pnpm records it as /lk-lib@1.0.0 */
    CHECK_ENTRY("lk-lib", "1.0.0", I_LIB1, "", 1, 0, 26);
    CHECK_ENTRY("lk-lib", "2.0.0", I_LIB2, "", 0, 0, 30);
    CHECK_ENTRY("lk-peer-host", "18.0.0", I_HOST, "", 0, 0, 34);
    CHECK_ENTRY("lk-git", "1.0.0", "", "http://127.0.0.1:4873/lk/lk-git/tar.gz/" GIT_COMMIT, 1, 0, 47);
    CHECK(find("local-dir", "0.0.1") == NULL);
    CHECK_INT_EQ(parse(PNPM_V9_EX, LOCK_AUTO), 0);
    CHECK_INT_EQ(LF.n, 5);
    CHECK_ENTRY("lk-lib", "1.0.0", I_LIB1, "", 1, 0, 33);
    CHECK_ENTRY("lk-git", "1.0.0", "", "git+ssh://git@127.0.0.1/lk/lk-git.git#" GIT_COMMIT, 1, 0, 29);
    for (size_t i = 0; i < LF.n; i++) {
        CHECK(strcmp(LF.entries[i].package, "local-dir") != 0);
        CHECK(strcmp(LF.entries[i].package, "linked") != 0);
    }
}

TEST(pnpm_two_documents)
{
    /* pnpm 10 may put its own and config dependencies in a first document */
    static const char ENV[] = "---\nlockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    configDependencies: {}\n"
                              "    packageManagerDependencies:\n      pnpm:\n        specifier: 9.15.9\n"
                              "        version: 9.15.9\n\npackages:\n\n  pnpm@9.15.9:\n"
                              "    resolution: {integrity: " I_LIB1 "}\n\nsnapshots:\n\n  pnpm@9.15.9: {}\n\n---\n";
    size_t a = strlen(ENV), b = strlen(PNPM_V9);
    char *two = malloc(a + b + 1);
    memcpy(two, ENV, a);
    memcpy(two + a, PNPM_V9, b + 1);
    CHECK_INT_EQ(parse(two, LOCK_PNPM), 0);
    CHECK_INT_EQ(LF.n, 8);
    CHECK_ENTRY("pnpm", "9.15.9", I_LIB1, "", 0, 0, 15);
    CHECK_ENTRY("lk-app", "1.0.0", I_APP, "", 1, 0, 33 + count_lines(ENV));
    free(two);
}

TEST(pnpm_truncated)
{
    /* a cut at any line end fails up to the last snapshot (whose list of
     * dependencies can lose its tail unnoticed) */
    int lines = count_lines(PNPM_V9), accepted = 0;
    size_t last_snap = (size_t)(strstr(PNPM_V9, "  lk-peer-user@1.0.0(") - PNPM_V9);
    for (int k = 0; k < lines; k++) {
        size_t n = lines_len(PNPM_V9, k);
        if (n <= last_snap && parse_n(PNPM_V9, n, LOCK_PNPM) == 0)
            accepted++;
    }
    CHECK_INT_EQ(accepted, 0);
    lines = count_lines(PNPM_V9_WS);
    accepted = 0;
    for (int k = 0; k < lines; k++)
        if (parse_n(PNPM_V9_WS, lines_len(PNPM_V9_WS, k), LOCK_PNPM) == 0)
            accepted++;
    CHECK_INT_EQ(accepted, 0);
    /* in packages or snapshots: importers' dependencies have no entry yet */
    CHECK(fails_with(PNPM_V9, lines_len(PNPM_V9, 35), LOCK_PNPM,
                     "importer .: dependency alias-lib (lk-lib@2.0.0) has no entry in snapshots (truncated?)", 11));
    CHECK(fails_with(PNPM_V6, lines_len(PNPM_V6, 47), LOCK_PNPM,
                     "importer .: dependency alias-lib (/lk-lib@2.0.0) has no entry in packages (truncated?)", 8));
    /* before importers: 9.x always has them */
    CHECK(
        fails_with(PNPM_V9, lines_len(PNPM_V9, 6), LOCK_PNPM, "lockfileVersion 9.0 but no importers (truncated?)", 0));
    /* an empty section */
    CHECK(fails_with(PNPM_V9, lines_len(PNPM_V9, 7), LOCK_PNPM,
                     "a top-level section is a single value, not a mapping (truncated?)", 7));
    CHECK(fails_with(PNPM_V9, lines_len(PNPM_V9, 10), LOCK_PNPM, "importer .: a dependency section is a single value",
                     10));
    /* inside a line: within a flow mapping it is a YAML error, anywhere the missing newline */
    size_t mid = (size_t)(strstr(PNPM_V9, "sha512-XbL") - PNPM_V9) + 10;
    CHECK(fails_with(PNPM_V9, mid, LOCK_PNPM, "the last line has no line end", 31));
    char *cut = malloc(mid + 2);
    memcpy(cut, PNPM_V9, mid);
    memcpy(cut + mid, "\n", 2);
    CHECK_FAILS(cut, LOCK_PNPM, "pnpm-lock.yaml: not valid YAML", 32);
    free(cut);
}

TEST(pnpm_errors)
{
    char *t = edit(PNPM_V9, "lockfileVersion: '9.0'", "lockfileVersion: '5.4'");
    CHECK_FAILS(t, LOCK_AUTO, "unknown lockfileVersion '5.4' (cordon reads 6.x and 9.x)", 1);
    free(t);
    t = edit(PNPM_V9, "lockfileVersion: '9.0'", "lockfileVersion: '9.0.1'");
    CHECK_FAILS(t, LOCK_AUTO, "unknown lockfileVersion '9.0.1'", 1);
    free(t);
    t = edit(PNPM_V9, "lockfileVersion: '9.0'", "lockfileVersion: '6.1'");
    CHECK_FAILS(t, LOCK_AUTO, "has no entry in packages", 0); /* read as 6.x, keys do not match */
    free(t);
    t = edit(PNPM_V9, "lockfileVersion: '9.0'\n", "");
    CHECK_FAILS(t, LOCK_PNPM, "pnpm-lock.yaml: no lockfileVersion", 0);
    free(t);
    t = edit(PNPM_V9, I_APP, "sha512-!!!");
    CHECK_FAILS(t, LOCK_AUTO, "lk-app@1.0.0: malformed integrity 'sha512-!!!'", 33);
    free(t);
    t = edit(PNPM_V9, "  lk-app@1.0.0:\n    resolution: {integrity: " I_APP "}\n",
             "  lk-app@1.0.0:\n    hasBin: true\n");
    CHECK_FAILS(t, LOCK_AUTO, "packages entry lk-app@1.0.0 has no resolution", 33);
    free(t);
    t = edit(PNPM_V9, "specifier: ^1.0.0\n        version: 1.0.0\n", "specifier: ^1.0.0\n        version: 1.0.1\n");
    CHECK_FAILS(t, LOCK_AUTO, "importer .: dependency lk-app (1.0.1) has no entry in snapshots", 14);
    free(t);
    t = edit(PNPM_V9, "specifier: ^1.0.0\n        version: 1.0.0\n", "specifier: ^1.0.0\n");
    CHECK_FAILS(t, LOCK_AUTO, "importer .: dependency lk-app has no version", 14);
    free(t);
    t = edit(PNPM_V9, "  lk-lib@2.0.0: {}\n", "  lk-lib@2.0.0: {}\n\n  lk-ghost@1.0.0: {}\n");
    CHECK_FAILS(t, LOCK_AUTO, "snapshot lk-ghost@1.0.0 has no entry in packages", 70);
    free(t);
    /* a package without a snapshot; a package's dependency without an entry */
    t = edit(PNPM_V9, "  lk-peer-host@18.0.0:\n",
             "  lk-orphan@1.0.0:\n    resolution: {integrity: " I_LIB1 "}\n\n  lk-peer-host@18.0.0:\n");
    CHECK_FAILS(t, LOCK_AUTO, "packages entry lk-orphan@1.0.0 has no snapshot (truncated?)", 45);
    free(t);
    t = edit(PNPM_V6, "      lk-lib: 1.0.0\n", "      lk-lib: 1.0.9\n");
    CHECK_FAILS(t, LOCK_AUTO, "/lk-app@1.0.0: dependency lk-lib (1.0.9) has no entry in packages (truncated?)", 36);
    free(t);
    t = edit(PNPM_V9, "      lk-lib: 1.0.0\n", "      lk-lib: 1.0.9\n");
    CHECK_FAILS(t, LOCK_AUTO, "lk-app@1.0.0: dependency lk-lib (1.0.9) has no entry in snapshots (truncated?)", 60);
    free(t);
    /* an empty 6.0 project has nothing but settings; an empty 9.0 one ".: {}" */
    CHECK_INT_EQ(
        parse("lockfileVersion: '6.0'\n\nsettings:\n  autoInstallPeers: true\n  excludeLinksFromLockfile: false\n",
              LOCK_PNPM),
        0);
    CHECK_INT_EQ(LF.n, 0);
    CHECK_INT_EQ(
        parse(
            "lockfileVersion: '9.0'\n\nsettings:\n  autoInstallPeers: true\n  excludeLinksFromLockfile: false\n\nimporters:\n\n  .: {}\n",
            LOCK_AUTO),
        0);
    CHECK_INT_EQ(LF.n, 0);
    t = edit(PNPM_V6, "    dev: true\n", "    dev: maybe\n");
    CHECK_FAILS(t, LOCK_AUTO, "packages entry /lk-dev@0.5.0: dev is 'maybe', not true or false", 43);
    free(t);
    t = edit(PNPM_V6, "  /lk-dev@0.5.0:\n", "  /lk-dev:\n");
    CHECK_FAILS(t, LOCK_AUTO, "has no entry in packages", 0);
    free(t);
    CHECK_FAILS("lockfileVersion: '6.0'\n\npackages:\n\n  /foo:\n    resolution: {integrity: " I_LIB1 "}\n", LOCK_PNPM,
                "packages entry /foo is not /NAME@VERSION and has no name and version", 5);
    CHECK_FAILS(
        "lockfileVersion: '9.0'\n\nimporters:\n\n  .: {}\n\npackages:\n\n  foo@git+ssh://h/r.git#abc:\n    resolution: {commit: abc, repo: git+ssh://h/r.git, type: git}\n\nsnapshots:\n\n  foo@git+ssh://h/r.git#abc: {}\n",
        LOCK_PNPM, "packages entry foo@git+ssh://h/r.git#abc has no version", 9);
    CHECK_FAILS("lockfileVersion: '9.0'\nx: &a {b: 1}\ny: *a\n", LOCK_PNPM, "YAML aliases", 3);
    CHECK_FAILS("- a\n- b\n", LOCK_PNPM, "the document is a list, not a mapping", 1);
    CHECK_FAILS("lockfileVersion: '9.0'\npackages: [a, b]\n", LOCK_PNPM, "a top-level section is a list", 2);
    CHECK_FAILS("lockfileVersion: '9.0'\npackages:\n  foo@1.0.0:\n    resolution: [a]\n", LOCK_PNPM,
                "resolution is a list, not a mapping", 4);
    CHECK_FAILS("lockfileVersion: '9.0'\n\tbad: 1\n", LOCK_PNPM, "not valid YAML", 2);
    CHECK_FAILS("", LOCK_PNPM, "empty", 0);
    CHECK_FAILS("# nothing\n", LOCK_PNPM, "empty", 0);
    /* absurd keys (only possible as explicit "? key" ones) are refused, not cut short */
    buf_t big;
    buf_init(&big);
    buf_puts(&big, "lockfileVersion: '9.0'\nimporters:\n  .: {}\npackages:\n  ? ");
    for (int i = 0; i < 1500; i++)
        buf_putc(&big, 'a');
    buf_puts(&big, "@1.0.0\n  : resolution: {integrity: " I_LIB1 "}\nsnapshots:\n  ? ");
    for (int i = 0; i < 1500; i++)
        buf_putc(&big, 'a');
    buf_puts(&big, "@1.0.0\n  : {}\n");
    CHECK(fails_with(big.data, big.len, LOCK_PNPM, "is too long", 5));
    buf_free(&big);
    /* two copies of one pin with different hashes */
    t = edit(PNPM_V6, "  /lk-lib@2.0.0:\n    resolution: {integrity: " I_LIB2 "}",
             "  /lk-lib@2.0.0:\n    resolution: {integrity: " I_LIB2 "}\n    dev: false\n\n"
             "  /lk-lib@2.0.0(lk-peer-host@18.0.0):\n    resolution: {integrity: " I_LIB1 "}");
    CHECK_FAILS(t, LOCK_AUTO, "lk-lib@2.0.0 appears twice with different integrity", 0);
    free(t);
}

/* ---- size ---- */

TEST(npm_5000_entries)
{
    buf_t b;
    buf_init(&b);
    buf_puts(&b,
             "{\n  \"name\": \"big\",\n  \"version\": \"1.0.0\",\n  \"lockfileVersion\": 3,\n  \"requires\": true,\n"
             "  \"packages\": {\n    \"\": {\n      \"name\": \"big\",\n      \"version\": \"1.0.0\",\n"
             "      \"dependencies\": {\n");
    for (int i = 0; i < 100; i++)
        buf_printf(&b, "        \"pkg-%d\": \"^1.0.0\"%s\n", i, i < 99 ? "," : "");
    buf_puts(&b, "      }\n    }");
    for (int i = 0; i < 5000; i++) {
        /* every fifth a scoped package nested under the one before */
        char path[128], name[64];
        if (i % 5 == 4) {
            snprintf(name, sizeof(name), "@scope/dep-%d", i);
            snprintf(path, sizeof(path), "node_modules/pkg-%d/node_modules/%s", i - 1, name);
        } else {
            snprintf(name, sizeof(name), "pkg-%d", i);
            snprintf(path, sizeof(path), "node_modules/%s", name);
        }
        buf_printf(&b,
                   ",\n    \"%s\": {\n      \"version\": \"1.%d.0\",\n      \"resolved\": \"" REG
                   "%s/-/%s-1.%d.0.tgz\",\n      \"integrity\": \"" I_LIB1 "\",\n%s      \"license\": \"MIT\",\n"
                   "      \"engines\": {\n        \"node\": \">=14\"\n      },\n      \"dependencies\": {\n"
                   "        \"pkg-%d\": \"^1.0.0\"\n      }\n    }",
                   path, i % 100, name, strchr(name, '/') ? strchr(name, '/') + 1 : name, i % 100,
                   i % 3 == 0 ? "      \"dev\": true,\n" : "", (i + 1) % 5000);
    }
    buf_puts(&b, "\n  }\n}\n");
    CHECK(!b.oom);
    double t0 = now_ms();
    int rc = parse_n(b.data, b.len, LOCK_AUTO);
    double ms = now_ms() - t0;
    CHECK_INT_EQ(rc, 0);
    CHECK_INT_EQ(LF.n, 5000);
    size_t direct = 0, dev = 0;
    for (size_t i = 0; i < LF.n; i++) {
        direct += LF.entries[i].direct;
        dev += LF.entries[i].dev;
    }
    CHECK_INT_EQ(direct, 80); /* pkg-0..99 minus the 20 scoped slots */
    CHECK_INT_EQ(dev, 1667);
    const lock_entry_t *e = find("@scope/dep-4999", "1.99.0");
    CHECK(e != NULL);
    if (e)
        CHECK_STR_EQ(e->resolved, REG "@scope/dep-4999/-/dep-4999-1.99.0.tgz");
    printf("npm package-lock.json v3, 5000 entries, %zu kB: parsed in %.1f ms\n", b.len / 1024, ms);
    buf_free(&b);
}

int main(void)
{
    RUN(npm_v3);
    RUN(npm_crlf_bom);
    RUN(npm_v1);
    RUN(npm_v2);
    RUN(npm_workspaces);
    RUN(npm_truncated);
    RUN(npm_errors);
    RUN(yarn_classic);
    RUN(yarn_berry);
    RUN(yarn_truncated);
    RUN(yarn_errors);
    RUN(pnpm_v9);
    RUN(pnpm_v6);
    RUN(pnpm_workspaces);
    RUN(pnpm_git_tarball_local);
    RUN(pnpm_two_documents);
    RUN(pnpm_truncated);
    RUN(pnpm_errors);
    RUN(npm_5000_entries);
    lockfile_free(&LF);
    return test_report();
}
