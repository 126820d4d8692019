"""What pages show from the domain services, shaped for the templates. A view module only calls the
services and arranges their answers; the rules stay in the services."""
