#ifndef SLUICE_CCOMPRESSION_SHIM_H
#define SLUICE_CCOMPRESSION_SHIM_H
#include <zlib.h>
#include <lz4frame.h>
#include <zstd.h>
#include <snappy-c.h>
#endif
