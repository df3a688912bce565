#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/des.h>
