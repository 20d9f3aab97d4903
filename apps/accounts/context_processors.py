def tenant(request):
    return {"membership": getattr(request, "membership", None)}
