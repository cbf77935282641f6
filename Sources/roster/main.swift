print("roster: skeleton")
