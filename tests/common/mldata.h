/* mldata.h — real labelled data for the built-in models' tests and
 * benchmarks: Fashion-MNIST from Debian's dataset-fashion-mnist and the
 * fortune cookie categories of Debian's fortunes package. Both loaders
 * return -1 when the files are absent (the caller skips). */
#ifndef FC_TESTS_MLDATA_H
#define FC_TESTS_MLDATA_H

#include <stddef.h>
#include <stdint.h>

#define FMNIST_DIR "/usr/share/datasets/fashion-mnist"
#define FMNIST_SIDE 28
#define FORTUNES_DIR "/usr/share/games/fortunes"

/* The training ("train") or test ("t10k") set: n images of 28×28 grey
 * bytes and their labels 0..9. */
int fmnist_load(const char *which, uint8_t **px, int **labels, size_t *n);
/* Every fortune of the ncat category files (label = index in cats). */
int fortunes_load(const char *const *cats, int ncat, char ***texts, int **labels, size_t *n);
void fortunes_free(char **texts, size_t n);

#endif
