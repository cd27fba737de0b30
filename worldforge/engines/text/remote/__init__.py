"""Text from a model server that speaks the OpenAI raw-completion API (llama.cpp, vLLM,
KoboldCpp, llama-cpp-python, …): one idea per module, the engine in `engine`."""
