"""Guidance articles and their retrieval: chunking, embeddings, FAISS, BM25, abstention."""
