// Builds the catalogue's compile-time checks into the library, so every consumer's build
// proves them once.
#include "hvcall/catalogue_checks.hpp"
