"""Model backends behind two narrow protocols. The only package that imports torch,
transformers or diffusers, and only when a model is first needed."""
