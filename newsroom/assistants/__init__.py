"""The admin's assistants for editors, one module per concern.

- ``suggestions``: mention suggestions on the article form, live as the writer types;
- ``confirmation``: confirmation pages that stop a save and list what it affects;
- ``guards``: the publish and embargo guards and the rights to publish.
"""
