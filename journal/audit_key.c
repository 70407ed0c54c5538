/* audit_key: loading, making and using the audit chain's key (see audit_key.h). */
#include "journal/audit_key.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/digest.h"

static unsigned char g_key[AUDIT_KEY_BYTES];
static int g_have;
static char g_id[17];

/* HMAC-SHA-256 done by hand on EVP digests: the inner and outer states
 * after the padded key are kept, so one HMAC costs two state copies and
 * the hashing (OpenSSL's one-shot HMAC() sets a MAC up on every call,
 * which the chain, hashed twice per record, cannot afford). The templates
 * are only read once the key is set; each thread has its own working
 * context, freed when the thread ends. */
static EVP_MD_CTX *g_inner, *g_outer;
static pthread_key_t g_ctx_key;
static pthread_once_t g_ctx_once = PTHREAD_ONCE_INIT;

static void free_ctx(void *p) { EVP_MD_CTX_free(p); }
static void make_ctx_key(void) { pthread_key_create(&g_ctx_key, free_ctx); }

static EVP_MD_CTX *thread_ctx(void)
{
    pthread_once(&g_ctx_once, make_ctx_key);
    EVP_MD_CTX *c = pthread_getspecific(g_ctx_key);
    if (c == NULL && (c = EVP_MD_CTX_new()) != NULL)
        pthread_setspecific(g_ctx_key, c);
    return c;
}

static void set_pads(void)
{
    unsigned char pad[64];
    if (g_inner == NULL)
        g_inner = EVP_MD_CTX_new();
    if (g_outer == NULL)
        g_outer = EVP_MD_CTX_new();
    for (int round = 0; round < 2; round++) {
        memset(pad, round ? 0x5c : 0x36, sizeof(pad));
        for (int i = 0; i < AUDIT_KEY_BYTES; i++)
            pad[i] ^= g_key[i];
        EVP_MD_CTX *c = round ? g_outer : g_inner;
        EVP_DigestInit_ex(c, EVP_sha256(), NULL);
        EVP_DigestUpdate(c, pad, sizeof(pad));
    }
    OPENSSL_cleanse(pad, sizeof(pad));
}

static void set_id(void)
{
    static const char label[] = "cordon audit key id\n";
    unsigned char in[sizeof(label) - 1 + AUDIT_KEY_BYTES];
    memcpy(in, label, sizeof(label) - 1);
    memcpy(in + sizeof(label) - 1, g_key, AUDIT_KEY_BYTES);
    char hex[65];
    sha256_hex(in, sizeof(in), hex);
    OPENSSL_cleanse(in, sizeof(in));
    memcpy(g_id, hex, 16);
    g_id[16] = '\0';
}

void audit_key_set(const unsigned char key[AUDIT_KEY_BYTES])
{
    memcpy(g_key, key, AUDIT_KEY_BYTES);
    g_have = 1;
    set_id();
    set_pads();
}

void audit_key_clear(void)
{
    OPENSSL_cleanse(g_key, sizeof(g_key));
    if (g_inner)
        EVP_MD_CTX_reset(g_inner);
    if (g_outer)
        EVP_MD_CTX_reset(g_outer);
    g_have = 0;
    g_id[0] = '\0';
}

int audit_key_present(void) { return g_have; }

const char *audit_key_id(void) { return g_have ? g_id : ""; }

int audit_hmac_hex(const void *p, size_t n, char out[65])
{
    if (!g_have) {
        memset(out, '0', 64);
        out[64] = '\0';
        return -1;
    }
    EVP_MD_CTX *c = thread_ctx();
    unsigned char inner[EVP_MAX_MD_SIZE], md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    if (c == NULL || !EVP_MD_CTX_copy_ex(c, g_inner) || !EVP_DigestUpdate(c, p, n) ||
        !EVP_DigestFinal_ex(c, inner, &len) || len != 32 || !EVP_MD_CTX_copy_ex(c, g_outer) ||
        !EVP_DigestUpdate(c, inner, 32) || !EVP_DigestFinal_ex(c, md, &len) || len != 32)
        return -1;
    hex_encode(md, 32, out);
    return 0;
}

/* 64 hex digits, then nothing but whitespace */
static int parse_key(const char *s, size_t n, unsigned char out[AUDIT_KEY_BYTES])
{
    if (n < 64 || hex_decode(s, 64, out, AUDIT_KEY_BYTES) != 0)
        return -1;
    for (size_t i = 64; i < n; i++)
        if (s[i] != '\n' && s[i] != '\r' && s[i] != ' ' && s[i] != '\t')
            return -1;
    return 0;
}

static int read_key(const char *path, audit_key_info_t *info, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "cannot read the audit key %s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    memset(&st, 0, sizeof(st));
    char text[200];
    ssize_t n = -1;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
        n = read(fd, text, sizeof(text));
    int e = errno;
    close(fd);
    if (n < 0) {
        snprintf(err, errlen, "cannot read the audit key %s: %s", path,
                 S_ISREG(st.st_mode) ? strerror(e) : "not a regular file");
        return -1;
    }
    unsigned char key[AUDIT_KEY_BYTES];
    if (parse_key(text, (size_t)n, key) != 0) {
        OPENSSL_cleanse(text, sizeof(text));
        snprintf(err, errlen, "%s is not a cordon audit key (it must hold 64 hex digits, as cordon writes it)", path);
        return -1;
    }
    OPENSSL_cleanse(text, sizeof(text));
    audit_key_set(key);
    OPENSSL_cleanse(key, sizeof(key));
    info->mode = st.st_mode & 07777;
    return 0;
}

/* a new key in a temporary file beside path, linked into place: 0 made,
 * 1 another process made it first, -1 error */
static int make_key(const char *path, char *err, size_t errlen)
{
    char tmp[PATH_MAX + 16];
    snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
    int fd = mkstemp(tmp); /* 0600 whatever the umask */
    if (fd < 0) {
        snprintf(err, errlen, "cannot make the audit key %s: %s (set audit.key_file to a writable place outside data_dir)",
                 path, strerror(errno));
        return -1;
    }
    unsigned char key[AUDIT_KEY_BYTES];
    char hex[2 * AUDIT_KEY_BYTES + 2];
    int rc = RAND_bytes(key, sizeof(key)) == 1 ? 0 : -1;
    if (rc == 0) {
        hex_encode(key, sizeof(key), hex);
        hex[64] = '\n';
        rc = fchmod(fd, 0600) == 0 && write(fd, hex, 65) == 65 && fsync(fd) == 0 ? 0 : -1;
    }
    int e = errno;
    OPENSSL_cleanse(key, sizeof(key));
    OPENSSL_cleanse(hex, sizeof(hex));
    close(fd);
    if (rc == 0 && link(tmp, path) != 0) {
        e = errno;
        rc = e == EEXIST ? 1 : -1;
    }
    unlink(tmp);
    if (rc < 0)
        snprintf(err, errlen, "cannot make the audit key %s: %s", path, strerror(e));
    return rc;
}

int audit_key_load(const char *path, int create, audit_key_info_t *info, char *err, size_t errlen)
{
    memset(info, 0, sizeof(*info));
    if (create && access(path, F_OK) != 0 && errno == ENOENT) {
        int made = make_key(path, err, errlen);
        if (made < 0)
            return -1;
        info->created = made == 0;
    }
    if (read_key(path, info, err, errlen) != 0)
        return -1;
    memcpy(info->id, g_id, sizeof(info->id));
    return 0;
}

int audit_key_default_path(const char *config_path, char *out, size_t outlen)
{
    if (config_path == NULL || *config_path == '\0')
        return -1;
    const char *slash = strrchr(config_path, '/');
    if (slash == NULL)
        snprintf(out, outlen, "audit.key");
    else
        snprintf(out, outlen, "%.*s/audit.key", (int)(slash - config_path), config_path);
    return 0;
}

int audit_key_check_outside(const char *path, const char *data_dir, char *err, size_t errlen)
{
    char dir[PATH_MAX], data[PATH_MAX], parent[PATH_MAX];
    snprintf(parent, sizeof(parent), "%s", path);
    char *slash = strrchr(parent, '/');
    if (slash == NULL)
        snprintf(parent, sizeof(parent), ".");
    else if (slash == parent)
        parent[1] = '\0';
    else
        *slash = '\0';
    if (realpath(parent, dir) == NULL) {
        snprintf(err, errlen, "audit.key_file %s: its directory %s: %s", path, parent, strerror(errno));
        return -1;
    }
    if (realpath(data_dir, data) == NULL)
        return 0; /* no data_dir yet: nothing can be inside it */
    size_t n = strlen(data);
    if (strncmp(dir, data, n) == 0 && (dir[n] == '\0' || dir[n] == '/')) {
        snprintf(err, errlen,
                 "audit.key_file %s is inside data_dir %s: whoever can write the store must not be able to read the "
                 "key; put it beside the configuration (the default) or elsewhere outside data_dir",
                 path, data_dir);
        return -1;
    }
    return 0;
}
