// Creating a record of a view collection through the typed handle: its generated struct has no
// to_json, so this must fail to compile with the readable static_assert text (CTest test
// typed_view_records_cannot_be_written).
#include <bosbase.hpp>
#include "../unit/typed_test_types.hpp"

struct send_only_transport {
    bosbase::http_response send(const bosbase::http_request&) { return {200, {}, "{}"}; }
};

int main() {
    bosbase::basic_bosbase<send_only_transport> pb("http://127.0.0.1:8090", send_only_transport{});
    (void)pb.collection<typed_test::typed_view>().create(typed_test::typed_view{});
}
