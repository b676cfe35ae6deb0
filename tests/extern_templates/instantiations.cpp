// The one TU of the program that compiles the client for the default transport.
#define BOSBASE_IMPLEMENTATION
#include <bosbase.hpp>
