/* A ticker thread that redraws one status line with the elapsed time. */
#include "build/progress.h"

#include "octavo/util.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define OC_PROGRESS_DELAY 1.0 /* seconds before the terminal line appears */

struct oc_progress {
    FILE *stream;
    int lines;   /* print each step as a line (-v) */
    int drawn;   /* the terminal line is showing */
    int running; /* the ticker should keep going */
    char step[160];
    struct timespec start;
    pthread_t ticker;
    int have_ticker;
    pthread_mutex_t lock;
    pthread_cond_t wake;
};

static double elapsed(const oc_progress *p) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - p->start.tv_sec) + (now.tv_nsec - p->start.tv_nsec) / 1e9;
}

/* Called with the lock held. */
static void draw(oc_progress *p) {
    double t = elapsed(p);
    if (t < OC_PROGRESS_DELAY || !p->step[0]) return;
    fprintf(p->stream, "\r\033[Koctavo: %s (%.1f s)", p->step, t);
    fflush(p->stream);
    p->drawn = 1;
}

static void *tick(void *arg) {
    oc_progress *p = arg;
    oc_thread_name("oc-progress");
    pthread_mutex_lock(&p->lock);
    while (p->running) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 250 * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&p->wake, &p->lock, &until);
        if (p->running) draw(p);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

oc_progress *oc_progress_start(FILE *stream, int verbose) {
    if (verbose < 0) return NULL;
    int tty = isatty(fileno(stream));
    if (!tty && verbose < 1) return NULL;
    oc_progress *p = oc_xcalloc(1, sizeof *p);
    p->stream = stream;
    p->lines = verbose > 0;
    p->running = 1;
    clock_gettime(CLOCK_MONOTONIC, &p->start);
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->wake, NULL);
    if (!p->lines) p->have_ticker = pthread_create(&p->ticker, NULL, tick, p) == 0;
    return p;
}

void oc_progress_step(oc_progress *p, const char *fmt, ...) {
    if (!p) return;
    pthread_mutex_lock(&p->lock);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->step, sizeof p->step, fmt, ap);
    va_end(ap);
    if (p->lines)
        fprintf(p->stream, "octavo: %s (%.2f s)\n", p->step, elapsed(p));
    else
        draw(p);
    pthread_mutex_unlock(&p->lock);
}

void oc_progress_stop(oc_progress *p) {
    if (!p) return;
    pthread_mutex_lock(&p->lock);
    p->running = 0;
    pthread_cond_signal(&p->wake);
    pthread_mutex_unlock(&p->lock);
    if (p->have_ticker) pthread_join(p->ticker, NULL);
    if (p->drawn) {
        fprintf(p->stream, "\r\033[K");
        fflush(p->stream);
    }
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->lock);
    free(p);
}
