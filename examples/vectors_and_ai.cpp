// BosBase's AI services in one run: a vector collection with a similarity search, an LLM
// document collection that LangChaingo answers a question from (RAG), and a cache that
// keeps the answer so the next run does not ask the model again. Everything the example
// makes is removed again however it ends, except the cached answer.
//
//   vectors_and_ai [BASE_URL]
// The superuser comes from the environment (defaults match the test servers):
//   BOSBASE_URL, BOSBASE_ADMIN_EMAIL, BOSBASE_ADMIN_PASSWORD
// The server itself calls the model: it needs OPENAI_API_KEY (and OPENAI_BASE_URL for any
// OpenAI-compatible endpoint) in its own environment. BOSBASE_AI_MODEL names the chat model.
#include <bosbase.hpp>

#include <cstdlib>
#include <iostream>
#include <string>

namespace {

std::string env_or(const char* name, const char* fallback) {
    const char* value = std::getenv(name);
    return (value != nullptr && *value != '\0') ? value : fallback;
}

constexpr const char* vector_collection = "vectors_and_ai_demo";
constexpr const char* knowledge_base = "vectors_and_ai_kb";
constexpr const char* answer_cache = "vectors_and_ai_answers";

// Removes what the example made when it goes out of scope, on success and on error.
struct clean_up_at_exit {
    const bosbase::BosBase& pb;
    ~clean_up_at_exit() {
        try {
            pb.vectors().delete_collection(vector_collection);
        } catch (const bosbase::ClientResponseError& e) {
            if (e.status() != 404) std::cerr << "  could not remove " << vector_collection << ": " << e.what() << "\n";
        }
        try {
            pb.llm_documents().delete_collection(knowledge_base);  // 204 also when it is gone
        } catch (const std::exception& e) {
            std::cerr << "  could not remove " << knowledge_base << ": " << e.what() << "\n";
        }
    }
};

void vectors(const bosbase::BosBase& pb) {
    const auto vectors = pb.vectors();
    std::cout << "1. A vector collection of 3-dimensional vectors\n";
    try {
        vectors.delete_collection(vector_collection);  // left over from an interrupted run
    } catch (const bosbase::ClientResponseError& e) {
        if (e.status() != 404) throw;
    }
    vectors.create_collection(vector_collection, {3, std::string("cosine"), nullptr});

    std::cout << "\n2. Insert three documents\n";
    std::vector<bosbase::vector_document> documents(3);
    documents[0] = {"fruit_apple", {0.9, 0.1, 0.0}, {{"kind", "fruit"}}, "An apple a day.", nullptr};
    documents[1] = {"fruit_pear", {0.8, 0.2, 0.1}, {{"kind", "fruit"}}, "Pears ripen off the tree.", nullptr};
    documents[2] = {"tool_hammer", {0.0, 0.1, 0.9}, {{"kind", "tool"}}, "A hammer drives nails.", nullptr};
    const auto inserted = vectors.batch_insert(vector_collection, documents);
    std::cout << "  inserted " << inserted.inserted_count << ", failed " << inserted.failed_count << "\n";

    std::cout << "\n3. Search for the documents nearest to the apple\n";
    bosbase::vector_search_request search;
    search.query_vector = documents[0].vector;
    search.limit = 2;
    search.filter = {{"kind", "fruit"}};
    // Approximate (ivfflat): a search can miss rows, but never the document with the very same vector.
    for (const auto& hit : vectors.search(vector_collection, search).results) {
        std::cout << "  " << hit.document.id << " score " << hit.score << "\n";
    }
}

std::string ask(const bosbase::BosBase& pb, const std::string& question) {
    const auto llm = pb.llm_documents();
    std::cout << "\n4. An LLM document collection (the server embeds the texts)\n";
    llm.delete_collection(knowledge_base);
    llm.create_collection(knowledge_base, {{"purpose", "example"}});
    for (const char* text : {"BosBase stores vectors in PostgreSQL with the pgvector extension.",
                             "BosBase caches keep JSON values in memory and in the database.",
                             "Penguins live in the southern hemisphere."}) {
        bosbase::llm_document doc;
        doc.content = text;
        doc.metadata = {{"source", "example"}};
        std::cout << "  inserted " << llm.insert(knowledge_base, doc) << "\n";
    }

    std::cout << "\n5. Ask LangChaingo, answering from the two closest documents\n";
    bosbase::langchaingo_rag_request rag;
    rag.model.model = env_or("BOSBASE_AI_MODEL", "");
    rag.collection = knowledge_base;
    rag.question = question;
    rag.top_k = 2;
    rag.return_sources = true;
    const auto answer = pb.langchaingo().rag(rag);
    for (const auto& source : answer.sources) {
        std::cout << "  source (score " << source.score.value_or(0) << "): " << source.content << "\n";
    }
    return answer.answer;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string url = argc > 1 ? argv[1] : env_or("BOSBASE_URL", "http://127.0.0.1:8090");
    try {
        bosbase::BosBase pb(url);
        pb.collection("_superusers")
            .auth_with_password(env_or("BOSBASE_ADMIN_EMAIL", "admin@example.com"),
                                env_or("BOSBASE_ADMIN_PASSWORD", "admin-password"));
        const clean_up_at_exit clean_up{pb};

        vectors(pb);

        const std::string question = "Where does BosBase store vectors?";
        const auto caches = pb.caches();
        try {
            const auto cached = caches.get_entry(answer_cache, "where-vectors");
            std::cout << "\n4. Answer from the cache (" << cached.source << "): " << cached.value.get<std::string>()
                      << "\n";
        } catch (const bosbase::ClientResponseError& e) {
            if (e.status() != 404) throw;
            const std::string answer = ask(pb, question);
            std::cout << "  answer: " << answer << "\n";

            std::cout << "\n6. Cache the answer for an hour\n";
            // An entry call creates the cache when it does not exist yet (default settings).
            const auto entry = caches.set_entry(answer_cache, "where-vectors", answer, 3600);
            std::cout << "  cached in '" << entry.cache << "' until " << entry.expires_at.value_or("forever") << "\n";
        }
        std::cout << "\nDone.\n";
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }
}
