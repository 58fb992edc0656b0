/* Names for octavo's threads, as top, gdb and perf show them, and the
 * priority of those whose work can wait. */
#define _GNU_SOURCE /* pthread_setname_np */
#include "octavo/util.h"

#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

void oc_thread_name(const char *name) {
    /* (at most 15 bytes: a longer name is refused, and the thread keeps the
     * program's) */
    pthread_setname_np(pthread_self(), name);
}

/* The main thread lays out and draws every page, and the build ends when it
 * does: it is the critical path. The EPUB's thread and the highlighter's
 * are not (the EPUB is done long before the last page is drawn, and a block
 * the layout needs before the highlighter reaches it is highlighted by the
 * thread that needs it), but with the second layout thread or the page
 * deflater there are three threads for two cores, and the scheduler's fair
 * shares made the main thread wait its turn behind them. A nice of 10 gives
 * it about nine tenths of a shared core; on an idle core a background
 * thread still runs at full speed. Linux gives each thread its own nice
 * value (setpriority on the thread's id); raising it needs no privilege. */
int oc_thread_background(void) {
    return setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), OC_THREAD_BACKGROUND_NICE) == 0;
}
