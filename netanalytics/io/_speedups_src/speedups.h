/* Shared declarations of netanalytics.io._speedups (see module.c). */
#ifndef NETANALYTICS_SPEEDUPS_H
#define NETANALYTICS_SPEEDUPS_H
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

/* The index of the lowest set bit of a non-zero word. */
#if defined(_MSC_VER)
#include <intrin.h>
static __inline int na_ctz32(uint32_t x) { unsigned long i; _BitScanForward(&i, x); return (int)i; }
static __inline int na_ctz64(uint64_t x) { unsigned long i; _BitScanForward64(&i, x); return (int)i; }
#else
static inline int na_ctz32(uint32_t x) { return __builtin_ctz(x); }
static inline int na_ctz64(uint64_t x) { return __builtin_ctzll(x); }
#endif

/* Ask for the cache line at p ahead of its use (a hint: any address will do). */
#if defined(__GNUC__) || defined(__clang__)
#define na_prefetch(p) __builtin_prefetch(p)
#else
#define na_prefetch(p) ((void)(p))
#endif

/* The slot of a 64-bit key in an open-addressing table of 2**bits slots (Fibonacci hashing:
 * the top bits of the key times 2**64 / phi), as flat.c's and addresses.c's tables use it. */
static inline size_t na_slot_of(uint64_t key, int bits) {
    return (size_t)((key * 0x9E3779B97F4A7C15ULL) >> (64 - bits));
}

/* A 64-bit hash of size bytes, never 0 (a table's empty slot), for the tables that compare the
 * bytes themselves on a match (addresses.c's elements, ids.c's ids of one list). Each 16 bytes
 * take one 64 x 64 -> 128-bit product, folded, and the last 1-16 bytes are read as whole words
 * that may overlap the bytes before them (wyhash's steps), where FNV-1a took a dependent
 * multiply per byte: about 4 cycles a byte, 180 for an address element of 45 bytes. */
static inline uint64_t na_read8(const unsigned char *p) {
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline uint64_t na_read4(const unsigned char *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static inline uint64_t na_fold(uint64_t a, uint64_t b) {
#if defined(__SIZEOF_INT128__)
    __uint128_t r = (__uint128_t)a * b;
    return (uint64_t)r ^ (uint64_t)(r >> 64);
#elif defined(_MSC_VER) && defined(_M_X64)
    uint64_t high, low = _umul128(a, b, &high);
    return low ^ high;
#else
    uint64_t r = a * (b | 1);
    return r ^ (r >> 31);
#endif
}

static inline uint64_t na_hash_bytes(const void *data, Py_ssize_t size) {
    const unsigned char *p = (const unsigned char *)data;
    const uint64_t k0 = 0xa0761d6478bd642fULL, k1 = 0xe7037ed1a0b428dbULL;
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ (uint64_t)size, a, b;
    if (size <= 16) {
        if (size >= 4) {
            Py_ssize_t mid = (size >> 3) << 2; /* 0 below 8 bytes, else 4 */
            a = (na_read4(p) << 32) | na_read4(p + mid);
            b = (na_read4(p + size - 4) << 32) | na_read4(p + size - 4 - mid);
        } else if (size > 0) {
            a = ((uint64_t)p[0] << 16) | ((uint64_t)p[size >> 1] << 8) | p[size - 1];
            b = 0;
        } else {
            a = b = 0;
        }
    } else {
        Py_ssize_t i = 0;
        for (; size - i > 16; i += 16)
            h = na_fold(na_read8(p + i) ^ k0, na_read8(p + i + 8) ^ h ^ k1);
        a = na_read8(p + size - 16);
        b = na_read8(p + size - 8);
    }
    h = na_fold(na_fold(a ^ k0, b ^ h ^ k1) ^ k0, (uint64_t)size ^ k1);
    return h ? h : 1;
}

/* A growable byte buffer (ids.c and addresses.c build Arrow-style columns in them). */
typedef struct {
    char *data;
    Py_ssize_t n, capacity;
} na_buffer;

static inline int na_buffer_reserve(na_buffer *b, Py_ssize_t more) {
    if (b->n + more <= b->capacity)
        return 0;
    Py_ssize_t capacity = b->capacity ? b->capacity : 4096;
    while (capacity < b->n + more)
        capacity *= 2;
    char *data = PyMem_Realloc(b->data, (size_t)capacity);
    if (data == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    b->data = data;
    b->capacity = capacity;
    return 0;
}

static inline int na_buffer_add(na_buffer *b, const void *p, Py_ssize_t size) {
    if (na_buffer_reserve(b, size) < 0)
        return -1;
    memcpy(b->data + b->n, p, (size_t)size);
    b->n += size;
    return 0;
}

static inline int na_buffer_add_int64(na_buffer *b, int64_t v) { return na_buffer_add(b, &v, sizeof v); }
static inline int na_buffer_add_int32(na_buffer *b, int32_t v) { return na_buffer_add(b, &v, sizeof v); }

/* The buffer's bytes as a bytearray (the buffer is freed either way). */
static inline PyObject *na_buffer_take(na_buffer *b) {
    PyObject *out = PyByteArray_FromStringAndSize(b->data, b->n);
    PyMem_Free(b->data);
    b->data = NULL;
    b->n = b->capacity = 0;
    return out;
}

/* A column of byte strings held as Arrow holds a large_binary array: value i is
 * data[offsets[i]:offsets[i + 1]], null where valid (one byte per row; none: no nulls) is 0.
 * ids.c reads the header columns that header_values gives this way (_mbox._binary_buffers). */
typedef struct {
    Py_buffer offsets, data, valid;
    int has_valid;
    Py_ssize_t n;
} na_column;

/* Take the column (offsets, data, valid or None) from args; checks that the offsets are int64,
 * in order and within data, and valid one byte per row. 0, or -1 with an error naming `who`. */
static inline int na_column_open(PyObject *args, na_column *c, const char *who) {
    PyObject *valid;
    memset(c, 0, sizeof(*c));
    if (!PyArg_ParseTuple(args, "y*y*O", &c->offsets, &c->data, &valid))
        return -1;
    if (valid != Py_None) {
        if (PyObject_GetBuffer(valid, &c->valid, PyBUF_SIMPLE) < 0)
            goto fail;
        c->has_valid = 1;
    }
    c->n = c->offsets.len / (Py_ssize_t)sizeof(int64_t) - 1;
    if (c->offsets.len % (Py_ssize_t)sizeof(int64_t) || c->n < 0) {
        PyErr_Format(PyExc_ValueError, "%s: the offsets must be int64, one more than there are values", who);
        goto fail;
    }
    if (c->has_valid && c->valid.len != c->n) {
        PyErr_Format(PyExc_ValueError, "%s: %zd validity bytes for %zd values", who, c->valid.len, c->n);
        goto fail;
    }
    const int64_t *at = (const int64_t *)c->offsets.buf;
    for (Py_ssize_t i = 0; i <= c->n; i++) {
        if (at[i] < (i ? at[i - 1] : 0) || at[i] > c->data.len) {
            PyErr_Format(PyExc_ValueError, "%s: offset %zd is out of order or past the %zd bytes of data", who, i,
                         c->data.len);
            goto fail;
        }
    }
    return 0;
fail:
    PyBuffer_Release(&c->offsets);
    PyBuffer_Release(&c->data);
    if (c->has_valid)
        PyBuffer_Release(&c->valid);
    return -1;
}

static inline void na_column_close(na_column *c) {
    PyBuffer_Release(&c->offsets);
    PyBuffer_Release(&c->data);
    if (c->has_valid)
        PyBuffer_Release(&c->valid);
}

/* Value i's bytes (its length in *size), or NULL for a null. */
static inline const unsigned char *na_column_value(const na_column *c, Py_ssize_t i, Py_ssize_t *size) {
    if (c->has_valid && !((const unsigned char *)c->valid.buf)[i]) {
        *size = 0;
        return NULL;
    }
    const int64_t *at = (const int64_t *)c->offsets.buf;
    *size = (Py_ssize_t)(at[i + 1] - at[i]);
    return (const unsigned char *)c->data.buf + at[i];
}

PyObject *na_scan(PyObject *self, PyObject *args);
PyObject *na_dated_from_line(PyObject *self, PyObject *args);
PyObject *na_header_values(PyObject *self, PyObject *args);
PyObject *na_unfolded(PyObject *self, PyObject *values);
PyObject *na_interned(PyObject *self, PyObject *args);
PyObject *na_encode(PyObject *self, PyObject *values);
PyObject *na_address_lists(PyObject *self, PyObject *args);
extern PyTypeObject na_ElementTableType;
extern PyTypeObject na_FlatTableType;
uint64_t na_flat_generation(PyObject *table);
int32_t na_flat_code(PyObject *table, PyObject *x);
PyObject *na_address_flat(PyObject *self, PyObject *args);
PyObject *na_lists_from_flat(PyObject *self, PyObject *args);
PyObject *na_text_hashes(PyObject *self, PyObject *args);
PyObject *na_id_lists(PyObject *self, PyObject *args);
PyObject *na_first_ids(PyObject *self, PyObject *args);
PyObject *na_layout_dates(PyObject *self, PyObject *args);

#endif
