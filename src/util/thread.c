/* Names for octavo's threads, as top, gdb and perf show them. */
#define _GNU_SOURCE /* pthread_setname_np */
#include "octavo/util.h"

#include <pthread.h>

void oc_thread_name(const char *name) {
    /* (at most 15 bytes: a longer name is refused, and the thread keeps the
     * program's) */
    pthread_setname_np(pthread_self(), name);
}
