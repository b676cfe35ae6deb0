// Uses the field `title` of the generated typed_all (tests/compile_fail/typed_field_removed.py):
// compiles with the header generated from the full schema, and must not once the field is
// removed from the schema and the header regenerated.
#include <bosbase.hpp>
#include <typed_field_removed_types.hpp>

#include <string>

int main() {
    typed_test::typed_all r;
    r.title = "x";
    const std::string filter = std::string(typed_test::typed_all::fields::title) + " != ''";
    return filter.empty() ? 1 : 0;
}
